/**
 * The few parts of dcmjs (no type definitions of its own) that this project uses: reading a
 * Part-10 file into a dictionary, (de)naturalizing datasets, and writing a dictionary back.
 */
declare module 'dcmjs' {
  /** A dataset with keyword names ("SeriesInstanceUID"); sequences are arrays of datasets. */
  export type NaturalDataset = Record<string, unknown> & { _vrMap?: Record<string, string> };
  /** A dataset keyed by tag ("0020000E"), as read or written. */
  export type RawDataset = Record<string, { vr: string; Value?: unknown[] }>;

  export class DicomDict {
    constructor(meta: RawDataset);
    meta: RawDataset;
    dict: RawDataset;
    write(options?: { fragmentMultiframe?: boolean; allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
  }

  export const data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict };
    DicomDict: typeof DicomDict;
    DicomMetaDictionary: {
      naturalizeDataset(dataset: RawDataset): NaturalDataset;
      denaturalizeDataset(dataset: NaturalDataset): RawDataset;
    };
  };
  export const log: { setLevel(level: string): void };
  const dcmjs: { data: typeof data; log: typeof log };
  export default dcmjs;
}
