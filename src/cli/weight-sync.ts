/**
 * Local SGD across training processes (periodic model averaging; Stich, "Local SGD converges fast
 * and communicates little", ICLR 2019): K processes train one model on different batches and,
 * every N steps, all replace their weights by the mean of the K, exchanged as files in a shared
 * folder. One tfjs process uses one CPU core (wasm) and is bound by per-dispatch overhead on a GPU
 * (docs/gpu-training.md), so K processes see K times the batches per second for one model.
 * Each process keeps its own Adam moments, as in local SGD.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface WeightSyncOptions {
  dir: string;
  rank: number;
  workers: number;
  /** How long to wait for the other processes at one round before giving up. */
  timeoutMs?: number;
  /** Polling interval while waiting. */
  pollMs?: number;
}

/** One round's exchange file: the flattened weights, then one byte: whether this process wants to stop. */
function roundFile(dir: string, round: number, rank: number): string {
  return path.join(dir, `round${round}-rank${rank}.bin`);
}

export class WeightSync {
  private readonly options: Required<WeightSyncOptions>;

  constructor(options: WeightSyncOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 2) throw new Error('weight sync needs at least 2 workers');
    if (!Number.isInteger(options.rank) || options.rank < 0 || options.rank >= options.workers) {
      throw new Error(`rank must be an integer from 0 to ${options.workers - 1}`);
    }
    this.options = { timeoutMs: 30 * 60_000, pollMs: 200, ...options };
  }

  /**
   * Round `round`: publishes this process's weights (and whether it wants to stop), waits for the
   * other processes' files, and sets the model's weights to the mean. Returns true if any process
   * wants to stop (all then stop after the same round, with the same weights).
   */
  async average(model: tf.LayersModel, round: number, wantsToStop: boolean): Promise<boolean> {
    const { dir, rank, workers } = this.options;
    await mkdir(dir, { recursive: true });
    const weights = model.getWeights();
    const own = new Float32Array(weights.reduce((n, w) => n + w.size, 0) + 1);
    let offset = 0;
    for (const w of weights) {
      own.set(await w.data() as Float32Array, offset);
      offset += w.size;
    }
    own[offset] = wantsToStop ? 1 : 0;
    const file = roundFile(dir, round, rank);
    // written whole, then renamed: a reader never sees half a file
    await writeFile(`${file}.tmp`, new Uint8Array(own.buffer));
    await rename(`${file}.tmp`, file);

    const sum = new Float64Array(own.length);
    let stop = false;
    for (let r = 0; r < workers; r++) {
      const values = r === rank ? own : await this.waitFor(roundFile(dir, round, r), own.length);
      for (let n = 0; n < offset; n++) sum[n] += values[n];
      stop ||= values[offset] > 0;
    }
    let start = 0;
    const averaged = weights.map((w) => {
      const mean = Float32Array.from(sum.subarray(start, start + w.size), (x) => x / workers);
      start += w.size;
      return tf.tensor(mean, w.shape, 'float32');
    });
    model.setWeights(averaged);
    tf.dispose(averaged);
    // all processes have published round - 1, so all have read round - 2: its file can go
    await rm(roundFile(dir, round - 2, rank), { force: true });
    return stop;
  }

  private async waitFor(file: string, length: number): Promise<Float32Array> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      try {
        const bytes = await readFile(file);
        if (bytes.byteLength !== length * 4) {
          throw new Error(`${file} holds ${bytes.byteLength / 4} values, this model ${length}: the workers train different models`);
        }
        return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (Date.now() > deadline) throw new Error(`weight sync: no ${path.basename(file)} after ${this.options.timeoutMs / 1000} s (another worker stopped or is too slow)`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
    }
  }
}
