/**
 * The physical side of the benchmark: what one forward pass costs in FLOPs, where its time goes by
 * kernel (tf.profile on the active backend), and what this CPU's matMul reaches on the same backend
 * (a large square product), so the gap between the network's GFLOP/s and the machine's is a number.
 */
import * as tf from '@tensorflow/tfjs';

/** Multiply-adds count 2 FLOPs. Per kernel name: calls, ms, FLOPs (Conv2D and matMuls only). */
export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  flops: number;
}

export interface ForwardProfile {
  /** The forward pass's FLOPs (convolutions and matMuls) and its wall time, one pass. */
  flops: number;
  ms: number;
  kernels: KernelShare[];
}

/** FLOPs of one kernel call from its shapes: Conv2D 2 N H W Co kh kw Ci; matMul 2 B M N K. */
export function kernelFlops(name: string, inputShapes: readonly number[][], outputShape: readonly number[]): number {
  const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (name === 'Conv2D' || name === 'FusedConv2D') {
    const [kh, kw, ci] = inputShapes[1];
    return 2 * product(outputShape) * kh * kw * ci;
  }
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    // the inner dimension is the one of A's last two that is not in the output
    const a = inputShapes[0];
    const [m] = outputShape.slice(-2);
    const inner = a[a.length - 1] === m && a[a.length - 2] !== m ? a[a.length - 2] : a[a.length - 1];
    return 2 * product(outputShape) * inner;
  }
  return 0;
}

/** One profiled forward pass of `model` on a [batch, tile^3, channels] input (after a warm-up pass). */
export async function profileForward(model: tf.LayersModel, tile: number, batch: number, channels: number): Promise<ForwardProfile> {
  const x = tf.randomNormal([batch, tile, tile, tile, channels]);
  const run = async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
  await run();
  const t0 = performance.now();
  const info = await tf.profile(run);
  const ms = performance.now() - t0;
  x.dispose();
  const byName = new Map<string, KernelShare>();
  for (const k of info.kernels) {
    const share = byName.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0, flops: 0 };
    share.calls++;
    share.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    share.flops += kernelFlops(k.name, k.inputShapes as number[][], k.outputShapes[0] as number[]);
    byName.set(k.name, share);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  return { flops: kernels.reduce((s, k) => s + k.flops, 0), ms, kernels };
}

/** GFLOP/s of an n x n by n x n matMul on the active backend: the best of `reps` after a warm-up. */
export async function matMulPeak(n = 1024, reps = 3): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  let best = Infinity;
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (r > 0) best = Math.min(best, performance.now() - t0);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (best / 1000) / 1e9;
}
