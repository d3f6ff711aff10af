/**
 * FC-DenseNet presets (docs/method.md section 2). Depth = blocksDown.length poolings; each dense
 * layer adds `growth` channels. Sizes in the comments are the parameter counts at 3 input channels.
 */
export interface DenseNetPreset {
  name: PresetName;
  description: string;
  /** Channels of the first 3x3x3 convolution. */
  firstFilters: number;
  /** Layers per dense block on the down path; the up path mirrors it. */
  blocksDown: readonly number[];
  /** Layers of the bottleneck dense block. */
  bottleneck: number;
  growth: number;
  /** Training / inference patch edge in voxels (a multiple of 2^depth). */
  patchSize: number;
}

export type PresetName = 'light' | 'standard' | 'paper';

export const PRESETS: Readonly<Record<PresetName, DenseNetPreset>> = Object.freeze({
  light: {
    name: 'light',
    description: 'CPU and laptop preset: 2 poolings, blocks 2-3 | 4, growth 8',
    firstFilters: 16,
    blocksDown: [2, 3],
    bottleneck: 4,
    growth: 8,
    patchSize: 32,
  },
  standard: {
    name: 'standard',
    description: 'WebGPU preset: 3 poolings, blocks 3-4-5 | 6, growth 12',
    firstFilters: 32,
    blocksDown: [3, 4, 5],
    bottleneck: 6,
    growth: 12,
    patchSize: 48,
  },
  paper: {
    name: 'paper',
    description: 'Close to Hashemi et al.: 4 poolings, blocks 4-5-7-10 | 12, growth 16',
    firstFilters: 48,
    blocksDown: [4, 5, 7, 10],
    bottleneck: 12,
    growth: 16,
    patchSize: 64,
  },
});

export function presetByName(name: string): DenseNetPreset {
  const preset = (PRESETS as Record<string, DenseNetPreset>)[name];
  if (!preset) {
    throw new Error(`unknown preset "${name}": choose one of ${Object.keys(PRESETS).join(', ')}`);
  }
  return preset;
}
