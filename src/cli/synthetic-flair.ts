import type { Volume } from '../core/types.ts';

/**
 * A 182x218x182 stand-in for a FLAIR when no scan is at hand (benchmarks): an ellipsoidal "brain"
 * (radii 70, 90, 65 voxels) of noise around 100-120, 0 outside.
 */
export function syntheticFlair(): Volume {
  const dims = [182, 218, 182] as const;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    const r = ((i - 91) / 70) ** 2 + ((j - 109) / 90) ** 2 + ((k - 91) / 65) ** 2;
    if (r < 1) data[i + dims[0] * (j + dims[1] * k)] = 100 + 20 * Math.random();
  }
  return { dims, spacingMm: [1, 1, 1], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], data, dataType: 'float32' };
}
