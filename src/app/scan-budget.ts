/**
 * Whether a scan fits the tab's memory, decided from its header before its voxels are read. A scan
 * costs the page about PAGE_BYTES_PER_VOXEL bytes per voxel at the peak of a run (docs/big-scans.md:
 * the decoded scan, niivue's layers, the worker's copy, the result on the scan's grid and its masks),
 * whatever the voxel size: the model itself runs on the 1 mm grid. A scan whose estimate exceeds half
 * the device's memory (navigator.deviceMemory, which Chromium reports rounded down and at most 8 GB;
 * 8 where the browser does not say) is refused with a message that says what to do instead.
 */
import { Gunzip } from 'fflate';
import { layoutForSize } from '../core/nifti-layout.ts';
import { planImage } from '../core/nifti-checks.ts';
import type { Vec3 } from '../core/types.ts';

/** Peak bytes the page (main thread and workers) holds per scan voxel during a run, measured (docs/big-scans.md). */
export const PAGE_BYTES_PER_VOXEL = 32;
/** Device memory assumed where the browser does not report it, GB. */
const DEFAULT_DEVICE_MEMORY_GB = 8;
/** Share of the device's memory one tab may plan to use. */
const TAB_SHARE = 0.5;

/** The most scan voxels this page takes with `deviceMemoryGb` of device memory. */
export function maxPageVoxels(deviceMemoryGb: number | undefined): number {
  const gb = deviceMemoryGb && deviceMemoryGb > 0 ? deviceMemoryGb : DEFAULT_DEVICE_MEMORY_GB;
  return Math.floor((gb * 2 ** 30 * TAB_SHARE) / PAGE_BYTES_PER_VOXEL);
}

/**
 * Why a scan of `dims` is too big for this tab, or null.
 * @example scanBudgetProblem('big.nii.gz', [512, 512, 350], 4) // "big.nii.gz: 512x512x350 voxels (92 M) need about 2.7 GB ..."
 */
export function scanBudgetProblem(name: string, dims: Vec3, deviceMemoryGb: number | undefined): string | null {
  const count = dims[0] * dims[1] * dims[2];
  const limit = maxPageVoxels(deviceMemoryGb);
  if (count <= limit) return null;
  const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;
  const device = deviceMemoryGb && deviceMemoryGb > 0 ? `this device reports ${deviceMemoryGb} GB` : `assuming ${DEFAULT_DEVICE_MEMORY_GB} GB`;
  return `${name}: ${dims.join('x')} voxels (${(count / 1e6).toFixed(0)} M) need about ${gb(count * PAGE_BYTES_PER_VOXEL)} in this page, ` +
    `more than half the memory (${device}; the page takes up to ${(limit / 1e6).toFixed(0)} M voxels): ` +
    'segment it with the command line (npm run segment), or downsample it to 1 mm first';
}

/** The image dims a file's first bytes (raw or gzip) declare, or null when they cannot be read (the reader then says why). */
export function declaredDims(first: Uint8Array): Vec3 | null {
  let head = first;
  if (first[0] === 0x1f && first[1] === 0x8b) {
    const parts: Uint8Array[] = [];
    let length = 0;
    try {
      const gunzip = new Gunzip((data) => {
        parts.push(data);
        length += data.length;
      });
      // 4 KiB of input hold the header (348 or 540 bytes) and inflate to at most ~4 MB, even for a gzip bomb
      gunzip.push(first.subarray(0, Math.min(first.length, 1 << 12)), false);
    } catch {
      return null;
    }
    head = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      head.set(part, at);
      at += part.length;
    }
  }
  // little-endian headers only; the reader handles (or refuses) the others
  const layout = head.length >= 4 ? layoutForSize(new DataView(head.buffer, head.byteOffset, 4).getInt32(0, true)) : null;
  if (!layout || head.length < layout.headerBytes) return null;
  try {
    return planImage(head.subarray(0, layout.headerBytes), layout).dims;
  } catch {
    return null;
  }
}
