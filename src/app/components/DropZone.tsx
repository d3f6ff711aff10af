import { type DragEvent, useRef, useState } from 'react';
import { droppedFiles } from './dropped-files.ts';

interface Props {
  onFiles: (files: File[]) => void;
  onDemo: () => void;
  disabled: boolean;
}

/** The drop target and pickers for NIfTI files, DICOM files or folders, and .zip files (several at once). */
export function DropZone({ onFiles, onDemo, disabled }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setOver(false);
    if (!disabled) void droppedFiles(event.dataTransfer).then(onFiles);
  };
  return (
    <div
      data-testid="drop-zone"
      className={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p><strong>Drop NIfTI files, or DICOM folders, files or a .zip here</strong></p>
      <p className="hint">FLAIR (required), T1, T2, T1 post-contrast and a reference lesion mask (NIfTI or DICOM SEG), on one grid</p>
      <div className="row">
        <button type="button" onClick={() => input.current?.click()} disabled={disabled}>Choose files…</button>
        <button type="button" onClick={() => folder.current?.click()} disabled={disabled}>Choose DICOM folder…</button>
        <button type="button" className="secondary" onClick={onDemo} disabled={disabled}>Load demo case</button>
      </div>
      <input
        ref={input}
        data-testid="file-input"
        type="file"
        multiple
        hidden
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          onFiles(files);
        }}
      />
      <input
        ref={folder}
        data-testid="folder-input"
        type="file"
        multiple
        hidden
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          onFiles(files);
        }}
      />
    </div>
  );
}
