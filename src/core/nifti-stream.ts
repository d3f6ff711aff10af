/**
 * Reading a .nii or .nii.gz file as a stream of chunks, bounded by the image its header declares:
 * the header is checked from the first bytes (a declared image above the scan limit is refused before
 * anything else is read or inflated), gzip is inflated in small steps with fflate's streaming Gunzip,
 * and reading stops once vox_offset + voxels x bytes are in. Whatever follows the image is ignored with
 * a note. Pure: the caller supplies the bytes (a whole buffer, a file read in chunks, a File's slices).
 */
import { Gunzip } from 'fflate';
import { checkedGeometry, checkedScaling, planImage, type ImagePlan } from './nifti-checks.ts';
import { layoutForSize, swapHeaderFields, type NiftiLayout } from './nifti-layout.ts';
import type { Vec3 } from './types.ts';

/** What a read cost: input bytes consumed and bytes inflated (0 for an uncompressed file). */
export interface ReadStats {
  bytesRead: number;
  bytesInflated: number;
}

/** A file's header (little-endian copy), checked geometry and scaling, and its image bytes as stored. */
export interface RawNifti {
  header: Uint8Array;
  layout: NiftiLayout;
  /** Byte order of the file (the image bytes are still in it). */
  littleEndian: boolean;
  plan: ImagePlan;
  affine: number[][];
  spacingMm: Vec3;
  scaling: { slope: number; inter: number };
  /** count * bytes per voxel, in the file's byte order. */
  image: Uint8Array;
  /** What the user should know (voxel sizes read as 1 mm, data after the image ignored). */
  notes: string[];
}

/** Largest decompressed output per compressed byte: deflate expands at most ~1032:1. */
const MAX_RATIO = 1032;
/**
 * Compressed bytes per push while the image is not in: at least 32 KiB (so one push inflates at most
 * ~33 MB past the image's end; 4 KiB steps read a 182x218x182 float32 .nii.gz in 150 ms against 100 ms
 * for one-shot gunzip, 32-64 KiB in about 125 ms), at most 1 MiB.
 */
const MIN_STEP = 32 << 10;
const MAX_STEP = 1 << 20;
/** Compressed bytes per push before the header is in, and after the image (to tell whether anything follows it): at most ~1 MB inflated. */
const PROBE_STEP = 1 << 10;

function corruptGzip(reason: string): Error {
  return new Error(`corrupt or truncated gzip data (${reason}); re-download or re-compress the file`);
}

/** Parses and checks a header from its first bytes; throws naming what is wrong. */
function parseHeader(head: Uint8Array): Pick<RawNifti, 'header' | 'layout' | 'littleEndian' | 'plan' | 'affine' | 'spacingMm' | 'scaling' | 'notes'> {
  const view = new DataView(head.buffer, head.byteOffset, 4);
  const sizeLe = view.getInt32(0, true);
  const sizeBe = view.getInt32(0, false);
  const layout = layoutForSize(sizeLe) ?? layoutForSize(sizeBe);
  if (!layout) throw new Error('not a NIfTI file: the header size field is not 348 (NIfTI-1) or 540 (NIfTI-2) (is this a .nii or .nii.gz?)');
  const header = head.slice(0, layout.headerBytes);
  const at = layout.magicOffset;
  const magic = String.fromCharCode(header[at], header[at + 1], header[at + 2]);
  if (magic === layout.pairMagic) {
    throw new Error('this is the .hdr of a .hdr/.img pair; convert it to a single .nii or .nii.gz file');
  }
  if (magic !== layout.magic) {
    throw new Error(`not a NIfTI-${layout.version} file: magic is ${JSON.stringify(magic)}, expected "${layout.magic}"`);
  }
  const littleEndian = sizeLe === layout.headerBytes;
  if (!littleEndian) swapHeaderFields(header, layout);
  const plan = planImage(header, layout);
  const { affine, spacingMm, notes } = checkedGeometry(header);
  return { header, layout, littleEndian, plan, affine, spacingMm, scaling: checkedScaling(header), notes };
}

/**
 * An incremental NIfTI reader: `push` the file's bytes in order (any chunk sizes) until it returns
 * true, then `finish`. Memory is the header plus the declared image; gzip input is inflated at most a
 * few MB past the image's end.
 * @example const r = new NiftiReader(); r.push(bytes, true); const raw = r.finish();
 */
export class NiftiReader {
  readonly stats: ReadStats = { bytesRead: 0, bytesInflated: 0 };
  private mode: 'unknown' | 'raw' | 'gzip' = 'unknown';
  private pending = new Uint8Array(0);
  private gunzip: Gunzip | null = null;
  private head = new Uint8Array(540);
  private parsed: Omit<RawNifti, 'image'> | null = null;
  private image: Uint8Array | null = null;
  /** (Decompressed) file bytes seen so far. */
  private received = 0;
  private headerError: Error | null = null;
  private gzipError: string | null = null;
  private probed = false;
  private done = false;
  /** The last bytes of the file were pushed. */
  private ended = false;
  private lastInput = new Uint8Array(8);

  /** Feeds the next bytes of the file (`final` on the last); true once no more bytes are needed. Throws for a bad header. */
  push(chunk: Uint8Array, final: boolean): boolean {
    if (this.done) return true;
    this.ended = final;
    if (this.mode === 'unknown') {
      const joined = new Uint8Array(this.pending.length + chunk.length);
      joined.set(this.pending);
      joined.set(chunk, this.pending.length);
      if (joined.length < 2 && !final) {
        this.pending = joined;
        return false;
      }
      chunk = joined;
      this.pending = new Uint8Array(0);
      this.mode = chunk[0] === 0x1f && chunk[1] === 0x8b ? 'gzip' : 'raw';
      if (this.mode === 'gzip') this.gunzip = new Gunzip((data) => this.accept(data));
    }
    this.keepLastInput(chunk);
    if (this.mode === 'raw') {
      this.stats.bytesRead += chunk.length;
      this.accept(chunk);
      this.done = this.complete() || final;
      return this.done;
    }
    for (let at = 0; at < chunk.length || (final && at === 0 && chunk.length === 0); ) {
      const step = Math.min(chunk.length - at, this.stepBytes());
      const last = final && at + step >= chunk.length;
      try {
        (this.gunzip as Gunzip).push(chunk.subarray(at, at + step), last);
      } catch (error) {
        if (this.headerError) throw this.headerError;
        this.gzipError = error instanceof Error ? error.message : String(error);
        this.done = true;
      }
      this.stats.bytesRead += step;
      at += step;
      if (this.complete()) {
        // one more step tells whether anything follows the image; then stop
        if (this.received > this.plan().end || this.probed || last) this.done = true;
        this.probed = true;
      }
      if (this.done || step === 0) break;
    }
    if (final) this.done = true;
    return this.done;
  }

  /** The header and image once the bytes are in; throws naming what is missing or corrupt. */
  finish(): RawNifti {
    if (this.headerError) throw this.headerError;
    const complete = this.complete();
    if (this.mode === 'gzip' && !complete) {
      if (this.gzipError) throw corruptGzip(this.gzipError);
      if (this.stats.bytesRead < 18) throw corruptGzip(`${this.stats.bytesRead} bytes, shorter than a gzip header and trailer`);
      const isize = new DataView(this.lastInput.buffer).getUint32(4, true);
      if (isize !== this.received % 2 ** 32) throw corruptGzip(`the stream ends after ${this.received} bytes of data`);
    }
    if (!this.parsed) {
      const need = layoutForSize(this.received >= 4 ? new DataView(this.head.buffer).getInt32(0, true) : 0)?.headerBytes ?? 348;
      throw new Error(`not a NIfTI file: ${this.received} bytes, shorter than the ${need}-byte NIfTI-${need === 540 ? 2 : 1} header`);
    }
    const { plan } = this.parsed;
    if (!complete) {
      throw new Error(
        `truncated NIfTI file: ${plan.dims.join('x')} ${plan.type.name} voxels need ${plan.end} bytes, file has ` +
          `${this.received}; re-export or re-download it`,
      );
    }
    return { ...this.parsed, image: this.image as Uint8Array, notes: [...this.parsed.notes, ...this.trailingNotes()] };
  }

  private trailingNotes(): string[] {
    const plan = this.plan();
    const image = `the header's ${plan.dims.join('x')} ${plan.type.name} voxels end at byte ${plan.end}`;
    if (this.mode === 'raw' && this.received > plan.end) {
      // read in chunks, the reader stops at the image: how much more the file holds is not known
      return [this.ended ? `${this.received - plan.end} bytes after the image were ignored (${image})` : `the file goes on past the image (${image}); the rest was ignored, not read`];
    }
    if (this.mode === 'gzip' && this.received > plan.end) {
      return [`the decompressed file goes on past the image (${image}); the rest was ignored, not decompressed`];
    }
    if (this.mode === 'gzip' && this.gzipError) {
      return [`the compressed data after the image is damaged (${this.gzipError}); it was ignored`];
    }
    return [];
  }

  private plan(): ImagePlan {
    return (this.parsed as Omit<RawNifti, 'image'>).plan;
  }

  private complete(): boolean {
    return this.parsed !== null && this.received >= this.parsed.plan.end;
  }

  /** Compressed bytes for the next push: small enough that its output cannot run far past the image. */
  private stepBytes(): number {
    // small steps until the header is checked (a refused bomb inflates at most ~1 MB) and after the image
    if (!this.parsed || this.complete()) return PROBE_STEP;
    const left = this.parsed.plan.end - this.received;
    return Math.min(MAX_STEP, Math.max(MIN_STEP, Math.ceil(left / MAX_RATIO)));
  }

  private keepLastInput(chunk: Uint8Array): void {
    if (chunk.length >= 8) {
      this.lastInput.set(chunk.subarray(chunk.length - 8));
    } else {
      this.lastInput.copyWithin(0, chunk.length);
      this.lastInput.set(chunk, 8 - chunk.length);
    }
  }

  /** Takes the next (decompressed) file bytes: the header first, then the image's byte range. */
  private accept(data: Uint8Array): void {
    if (!this.parsed) {
      const take = Math.min(data.length, this.head.length - this.received);
      this.head.set(data.subarray(0, take), this.received);
      const known = this.received + take;
      const size = known >= 4 ? new DataView(this.head.buffer).getInt32(0, true) : 0;
      const sizeBe = known >= 4 ? new DataView(this.head.buffer).getInt32(0, false) : 0;
      const need = (layoutForSize(size) ?? layoutForSize(sizeBe))?.headerBytes ?? 348;
      if (known >= need) {
        try {
          this.parsed = parseHeader(this.head.subarray(0, need));
        } catch (error) {
          this.headerError = error as Error;
          throw error;
        }
        this.image = new Uint8Array(this.parsed.plan.end - this.parsed.plan.offset);
      }
    }
    if (this.parsed && this.image) {
      const { offset, end } = this.parsed.plan;
      const from = Math.max(offset, this.received);
      const to = Math.min(end, this.received + data.length);
      if (to > from) this.image.set(data.subarray(from - this.received, to - this.received), from - offset);
    }
    this.received += data.length;
    this.stats.bytesInflated += this.mode === 'gzip' ? data.length : 0;
  }
}
