import type { CaseFiles, LoadedFile } from '../case-files.ts';
import { formatBytes } from '../format.ts';
import { seriesLabel } from '../../core/dicom-series.ts';
import { FILE_ROLES, type FileRole, ROLE_LABELS } from '../../core/file-roles.ts';

interface Props {
  caseFiles: CaseFiles | null;
  disabled: boolean;
  onRole: (id: string, role: FileRole) => void;
  onRemove: (id: string) => void;
}

/** The files of the case with their (guessed, changeable) roles. */
export function FileList({ caseFiles, disabled, onRole, onRemove }: Props) {
  if (!caseFiles || caseFiles.files.length === 0) return <p className="hint">No scan loaded.</p>;
  const dims = caseFiles.files[0].volume.dims;
  const spacing = caseFiles.files[0].volume.spacingMm;
  return (
    <div className="file-list" data-testid="file-list">
      <div className="case-title" data-testid="case-title">{caseFiles.title}</div>
      <div className="hint">{dims.join(' × ')} voxels of {spacing.map((s) => +s.toFixed(2)).join(' × ')} mm</div>
      <ul>
        {caseFiles.files.map((f) => (
          <li key={f.id} data-testid="file-row" data-role={f.role}>
            <span className="file-name" title={f.name}>
              {f.name} <span className="hint">{formatBytes(f.sizeBytes)}</span>
              {f.dicomSeries && <span className="hint" data-testid="dicom-series"><br />{dicomLine(f)}</span>}
            </span>
            <select
              aria-label={`Role of ${f.name}`}
              data-testid="role-select"
              value={f.role}
              disabled={disabled}
              onChange={(e) => onRole(f.id, e.target.value as FileRole)}
            >
              {FILE_ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
            </select>
            {!caseFiles.isDemo && (
              <button type="button" className="icon" aria-label={`Remove ${f.name}`} disabled={disabled} onClick={() => onRemove(f.id)}>×</button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A converted DICOM series as the list shows it: label, sequence, size, voxel size, slices. */
function dicomLine(f: LoadedFile): string {
  const s = f.dicomSeries;
  if (!s) return '';
  const { dims, spacingMm } = f.volume;
  const sequence = s.sequenceName ? ` · ${s.sequenceName}` : '';
  const slices = s.instances.length > 1 ? s.instances.length : s.instances[0]?.frames ?? 0;
  return `DICOM ${seriesLabel(s)}${sequence} · ${dims.join('×')} · ${spacingMm.map((v) => +v.toFixed(2)).join('×')} mm · ${slices} slices`;
}
