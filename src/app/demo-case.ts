/** The built-in demo case: the project's phantom (FLAIR, T1, T2 and its true lesion mask). */
import { generatePhantom } from '../core/phantom.ts';
import type { CaseFiles, LoadedFile } from './case-files.ts';

/** Demo grid: small enough to segment in seconds on a GPU (and in minutes on a CPU). */
export const DEMO_DIMS = [64, 76, 64] as const;

/** Generates the demo case (~0.1-0.3 s). */
export function demoCase(): CaseFiles {
  const phantom = generatePhantom({ dims: [...DEMO_DIMS], seed: 7, lesionCount: 9 });
  const file = (id: string, name: string, role: LoadedFile['role'], volume: LoadedFile['volume']): LoadedFile => ({
    id, name, role, volume, sizeBytes: volume.data.byteLength,
  });
  return {
    key: 0,
    title: 'Demo phantom (synthetic brain with MS-like lesions)',
    isDemo: true,
    files: [
      file('demo-flair', 'demo_FLAIR.nii', 'flair', phantom.flair),
      file('demo-t1', 'demo_T1.nii', 't1', phantom.t1),
      file('demo-t2', 'demo_T2.nii', 't2', phantom.t2),
      file('demo-mask', 'demo_lesion_mask.nii', 'mask', phantom.mask),
    ],
  };
}
