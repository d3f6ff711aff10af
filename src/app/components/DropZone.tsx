import { type DragEvent, useRef, useState } from 'react';

interface Props {
  onFiles: (files: File[]) => void;
  onDemo: () => void;
  disabled: boolean;
}

/** The drop target and file picker for NIfTI files (several at once). */
export function DropZone({ onFiles, onDemo, disabled }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setOver(false);
    if (!disabled) onFiles(Array.from(event.dataTransfer.files));
  };
  return (
    <div
      data-testid="drop-zone"
      className={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p><strong>Drop NIfTI files here</strong></p>
      <p className="hint">FLAIR (required), T1, T2, T1 post-contrast and a reference lesion mask, as .nii or .nii.gz on one grid</p>
      <div className="row">
        <button type="button" onClick={() => input.current?.click()} disabled={disabled}>Choose files…</button>
        <button type="button" className="secondary" onClick={onDemo} disabled={disabled}>Load demo case</button>
      </div>
      <input
        ref={input}
        data-testid="file-input"
        type="file"
        multiple
        accept=".nii,.nii.gz,.gz"
        hidden
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          onFiles(files);
        }}
      />
    </div>
  );
}
