/**
 * The files of a drop, folders included: a dropped folder's DataTransfer lists the folder as one
 * empty File, so its entries are walked (webkitGetAsEntry) and each file keeps its path inside the
 * drop, as a folder picker's webkitRelativePath does.
 */

/** The dropped files, folders walked; falls back to `dataTransfer.files` where entries are not offered. */
export async function droppedFiles(dataTransfer: DataTransfer): Promise<File[]> {
  const entries = Array.from(dataTransfer.items ?? [])
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() ?? null : null));
  if (entries.length === 0 || entries.some((e) => e === null) || !entries.some((e) => e?.isDirectory)) return Array.from(dataTransfer.files);
  const out: File[] = [];
  for (const entry of entries) if (entry) await walk(entry, '', out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push(withPath(file, `${prefix}${entry.name}`));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most 100 entries per call: read until it returns none
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

/** `file` with its path inside the drop as webkitRelativePath (read by the DICOM reader for unique names). */
function withPath(file: File, path: string): File {
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}
