/**
 * Output files written whole or not at all: each is written to a temporary name in its own folder
 * (".NAME.PID-N.tmp", a dot file that no reader takes for a result) and renamed onto NAME once
 * complete, so an interrupted run (Ctrl-C, kill, a full disk) never leaves a half-written NAME.
 * rename(2) within one folder replaces NAME atomically on POSIX file systems.
 */
import { readdirSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

let counter = 0;
let handlersInstalled = false;

/** The pattern of the temporary names writeFileAtomic uses, any process id. */
const TEMP_NAME = /^\..+\.\d+-\d+\.tmp$/;

/**
 * Writes `data` to `file` through a temporary file in the same folder and a rename: `file` is
 * either its old content (or absent) or the whole of `data`, never a part. The write and the rename
 * are one synchronous step (outputs here are a few MB, already encoded), so Ctrl-C or SIGTERM,
 * handled between steps (see installSignalHandlers), never finds a temporary file; only SIGKILL
 * can leave one, which removeStaleTempFiles clears on the next run.
 *
 * @example await writeFileAtomic('out/caseA_mask.nii.gz', bytes)
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  installSignalHandlers();
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${counter++}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Removes the temporary files an earlier, killed run left in `dir` (SIGKILL gives no chance to
 * clean up); returns their names. Only names of writeFileAtomic's pattern are touched.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const stale = readdirSync(dir).filter((name) => TEMP_NAME.test(name));
  for (const name of stale) unlinkSync(path.join(dir, name));
  return stale;
}

/**
 * SIGINT and SIGTERM end the process as they would (exit 130, 143) but from the event loop, so
 * between two of writeFileAtomic's synchronous steps, never within one (Node's default ends the
 * process at once, possibly halfway through a write).
 */
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      writeSync(2, `stopped (${signal}); every output file written so far is whole\n`);
      process.exit(code);
    });
  }
}
