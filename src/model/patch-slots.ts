/**
 * One PatchPredictor over several places a batch can run: helper workers, each with its own copy of
 * the model, and the calling thread itself. The wasm and cpu backends compute on one thread, so this
 * is how a CPU-only run uses more than one core.
 */
import type { PatchBox } from '../core/types.ts';
import type { PatchPredictor, PatchSlot } from './segment-volume.ts';

/**
 * Each batch goes to the first idle slot in the order given, or waits for one. List helpers first
 * and the calling thread last: a helper computes while this thread does, and this thread's own batch
 * blocks it, so it should be the last one handed out. A slot whose start or batch fails is retired
 * and the batch runs on another; the last slot is never retired, so its error is the run's.
 */
export function slotPredictor(slots: readonly PatchSlot[]): PatchPredictor {
  if (slots.length === 0) throw new Error('slotPredictor needs at least one slot');
  const live = [...slots];
  const busy = new Set<PatchSlot>();
  const waiting: (() => void)[] = [];
  const last = slots[slots.length - 1];
  const retire = (slot: PatchSlot) => {
    if (slot === last) return false;
    live.splice(live.indexOf(slot), 1);
    return true;
  };
  const acquire = async (): Promise<PatchSlot> => {
    for (;;) {
      const slot = live.find((s) => !busy.has(s));
      if (slot) {
        busy.add(slot);
        return slot;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  const release = (slot: PatchSlot) => {
    busy.delete(slot);
    waiting.shift()?.();
  };
  const run = async (boxes: readonly PatchBox[], flipped: boolean): Promise<Float32Array> => {
    const slot = await acquire();
    let failure: unknown;
    try {
      return await slot.predict(boxes, flipped);
    } catch (error) {
      failure = error;
    } finally {
      release(slot);
    }
    if (!retire(slot)) throw failure;
    return run(boxes, flipped);
  };
  return {
    get parallel() {
      return live.length;
    },
    async start(channels, dims) {
      const starting = [...live];
      const started = await Promise.allSettled(starting.map((slot) => slot.start(channels, dims)));
      started.forEach((outcome, s) => {
        if (outcome.status === 'rejected' && !retire(starting[s])) throw outcome.reason;
      });
    },
    predict: run,
  };
}
