/**
 * Resuming `segment:folder`: a case is finished when its summary line is recorded in
 * OUTPUT/summary.json (written after all of the case's outputs, each written whole through
 * writeFileAtomic) under the same run options, and every output file it needs now exists. A rerun
 * into the same --output skips finished cases and keeps their summary lines, as nnU-Net's predictor
 * skips existing outputs unless told to overwrite (`--overwrite` here). A case that failed, or was
 * interrupted before its record, is done again from scratch.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';

/** One summary line's values by column, as summary.csv gets it. */
export type RecordedLine = Record<string, string | number | undefined>;

/** What summary.json keeps of one finished case. */
interface CaseRecord {
  /** The run options it was segmented with (a JSON string; a different one means redo). */
  options: string;
  /** Its output files' names in --output. */
  outputs: string[];
  line: RecordedLine;
}

interface ProgressFile {
  format: 'segment-folder-progress/1';
  cases: Record<string, CaseRecord>;
}

const FORMAT = 'segment-folder-progress/1';

/** The name of the record next to summary.csv. */
export const PROGRESS_FILE = 'summary.json';

/**
 * The output files of one case, by name: CASE_mask.nii.gz and CASE_lesions.csv, with --prob
 * CASE_prob.nii.gz, with --removed CASE_removed.nii.gz, and CASE_seg.dcm for a DICOM study (`seg`).
 *
 * @example caseOutputNames('caseA', { prob: true, removed: false }) // ['caseA_mask.nii.gz', 'caseA_lesions.csv', 'caseA_prob.nii.gz']
 */
export function caseOutputNames(name: string, wanted: { prob: boolean; removed: boolean; seg?: boolean }): string[] {
  const optional: [boolean | undefined, string][] = [[wanted.prob, 'prob.nii.gz'], [wanted.removed, 'removed.nii.gz'], [wanted.seg, 'seg.dcm']];
  return [`${name}_mask.nii.gz`, `${name}_lesions.csv`, ...optional.filter(([on]) => on).map(([, suffix]) => `${name}_${suffix}`)];
}

/** The finished cases of an --output folder, and the means to skip, restart and record them. */
export class FolderProgress {
  private constructor(
    private readonly output: string,
    private readonly options: string,
    private readonly file: ProgressFile,
  ) {}

  /**
   * Reads OUTPUT/summary.json (none yet: nothing finished). `options` is the run's options as a
   * JSON string; with `overwrite` every case counts as unfinished. An unreadable record is said
   * with `log` and every case is done again.
   */
  static async open(output: string, options: string, overwrite: boolean, log: (line: string) => void): Promise<FolderProgress> {
    const fresh: ProgressFile = { format: FORMAT, cases: {} };
    const at = path.join(output, PROGRESS_FILE);
    if (overwrite || !existsSync(at)) return new FolderProgress(output, options, fresh);
    try {
      const read = JSON.parse(await readFile(at, 'utf8')) as ProgressFile;
      if (read.format !== FORMAT || typeof read.cases !== 'object' || read.cases === null) throw new Error(`not a ${FORMAT} record`);
      return new FolderProgress(output, options, read);
    } catch (error) {
      log(`note: ${at} is unreadable (${(error as Error).message}); every case is segmented again`);
      return new FolderProgress(output, options, fresh);
    }
  }

  /**
   * The summary line of `name` when an earlier run finished it with these options and all of
   * `outputs` exist; null when it must be (re)done, with the reason said through `log`.
   */
  finishedLine(name: string, outputs: readonly string[], log: (line: string) => void): RecordedLine | null {
    const record = this.file.cases[name];
    if (!record) return null;
    if (record.options !== this.options) {
      log(`${name}: segmented again: the earlier run used other options (${record.options})`);
      return null;
    }
    const missing = outputs.filter((o) => !existsSync(path.join(this.output, o)));
    if (missing.length > 0) {
      log(`${name}: segmented again: ${missing.join(', ')} missing`);
      return null;
    }
    log(`${name}: skipped: finished in an earlier run into this --output (its outputs and summary line kept; --overwrite redoes it)`);
    return record.line;
  }

  /** Before (re)doing `name`: drops its record and removes the outputs of an earlier try, so a failure leaves none. */
  async restart(name: string, outputs: readonly string[]): Promise<void> {
    const earlier = this.file.cases[name]?.outputs ?? [];
    if (this.file.cases[name]) {
      delete this.file.cases[name];
      await this.save();
    }
    for (const o of new Set([...earlier, ...outputs])) await rm(path.join(this.output, o), { force: true });
  }

  /** Records `name` as finished, once all its outputs are written. */
  async finish(name: string, outputs: readonly string[], line: RecordedLine): Promise<void> {
    this.file.cases[name] = { options: this.options, outputs: [...outputs], line };
    await this.save();
  }

  private save(): Promise<void> {
    return writeFileAtomic(path.join(this.output, PROGRESS_FILE), `${JSON.stringify(this.file, null, 1)}\n`);
  }
}
