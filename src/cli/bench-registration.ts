/**
 * What registration adds to a whole-volume run (npm run bench): the FLAIR turned and shifted in its
 * array (10, 0, 5 degrees; 0, 8, -6 mm), registered to the template (elastix), its channels moved onto
 * the template's grid, and a map on that grid brought back (with its peaks); seconds of each.
 */
import { moveInArray } from '../core/scan-variants.ts';
import type { Volume } from '../core/types.ts';
import { prepareModelInput } from '../model/model-input.ts';
import type { ModelMeta } from '../model/model-meta.ts';
import { mapsOnScan, placeModelInput } from '../model/registered-input.ts';
import { nodeRegistration } from './elastix-engine.ts';

export interface RegistrationTimes {
  /** elastix alone. */
  engineS: number;
  /** Registration, checks and the channels moved (placeModelInput), elastix included. */
  placeS: number;
  /** The fused map back onto the scan's grid, and its peaks for the lesion filter (mapsOnScan). */
  backS: number;
  rotationDeg: number;
}

/** Times the registration of a turned copy of `flair` for a model taking `meta.modalities`. */
export async function benchRegistration(flair: Volume, meta: Pick<ModelMeta, 'modalities'>): Promise<RegistrationTimes> {
  const turned = moveInArray(flair, { rotateDeg: [10, 0, 5], shiftMm: [0, 8, -6] }, false);
  const input = prepareModelInput({ flair: turned }, meta);
  const registration = await nodeRegistration();
  const started = performance.now();
  const placed = await placeModelInput(input, meta.modalities, registration);
  const placeS = (performance.now() - started) / 1000;
  if (!placed.placement) throw new Error(`the bench's turned FLAIR was not registered: ${placed.reason}`);
  const t0 = performance.now();
  mapsOnScan(placed, new Float32Array(placed.brain.length).fill(0.5), input.grid, input.scanBrain);
  return { engineS: placed.placement.result.seconds, placeS, backS: (performance.now() - t0) / 1000, rotationDeg: placed.placement.result.rotationDeg };
}
