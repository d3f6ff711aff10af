/** Posts the threshold sweep of the held result against its reference mask (nothing without one). */
import { thresholdSweep } from '../core/threshold-sweep.ts';
import type { HeldResult } from './outcome.ts';
import type { WorkerEvent } from './protocol.ts';

export function postSweep(held: HeldResult, modelName: string, post: (event: WorkerEvent) => void): void {
  if (!held.truth) return;
  try {
    post({ type: 'sweep', runId: held.runId, modelName, sweep: thresholdSweep(held.probability, held.truth.data, held.dims) });
  } catch (error) {
    post({ type: 'log', line: `no live metrics for this result: ${(error as Error).message}` });
  }
}
