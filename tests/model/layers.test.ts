import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelConcat } from '../../src/model/layers/channel-concat.ts';
import { conv3dSame3 } from '../../src/model/layers/conv3d-fast.ts';
import { conv3dSame3Gpu, pad3d } from '../../src/model/layers/conv3d-gpu.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import { InstanceNorm3d } from '../../src/model/layers/instance-norm.ts';
import { MaxPool3d, Upsample3d } from '../../src/model/layers/resample.ts';
import { maxRelativeError, seededValues, useBackend } from './tf-backend.ts';

type Shape5 = [number, number, number, number, number];

beforeAll(async () => {
  await useBackend('wasm'); // registers wasm (and its .wasm path) for the cross-backend checks
  await tf.setBackend('cpu');
});

function tensor5(shape: Shape5, seed: number, lo = -1, hi = 1): tf.Tensor5D {
  return tf.tensor5d(seededValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

/** Values and both gradients of sum(conv(x, w) * r), as plain arrays, on the active backend. */
function convWithGrads(conv: (x: tf.Tensor5D, w: tf.Tensor5D) => tf.Tensor5D, xs: Float32Array, ws: Float32Array, xShape: Shape5, wShape: Shape5, r: Float32Array) {
  return tf.tidy(() => {
    const x = tf.tensor5d(xs, xShape);
    const w = tf.tensor5d(ws, wShape);
    const y = conv(x, w);
    const rT = tf.tensor(r, y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor5D, b as tf.Tensor5D), rT)))([x, w]);
    return { y: y.dataSync().slice(), dx: dx.dataSync().slice(), dw: dw.dataSync().slice(), yShape: y.shape };
  });
}

const reference = (x: tf.Tensor5D, w: tf.Tensor5D) => tf.conv3d(x, w, 1, 'same');

// [x shape, w shape]: uneven D, H, W so an axis mix-up shows; Ci <= Co takes the stacked path,
// Ci > Co the per-tap path (and the input gradient takes the other one).
const CASES: { name: string; x: Shape5; w: Shape5 }[] = [
  { name: 'Ci <= Co (stacked)', x: [2, 4, 5, 6, 2], w: [3, 3, 3, 2, 3] },
  { name: 'Ci > Co (taps)', x: [1, 5, 3, 4, 4], w: [3, 3, 3, 4, 2] },
  { name: 'depth 1 and 2 (edge taps only)', x: [1, 2, 3, 3, 3], w: [3, 3, 3, 3, 3] },
];

describe('conv3dSame3', () => {
  const VARIANTS = [
    { label: 'conv2d formulation (cpu/wasm)', conv: conv3dSame3, seed: 1 },
    { label: 'GPU variant, per-tap filter gradient (webgpu/webgl)', conv: conv3dSame3Gpu, seed: 7 },
  ];
  for (const v of VARIANTS) {
    for (const c of CASES) {
      it(`${v.label} equals tf.conv3d(x, w, 1, 'same') with both gradients on cpu: ${c.name}`, () => {
        const count = (s: Shape5) => s.reduce((a, b) => a * b, 1);
        const xs = seededValues(count(c.x), v.seed);
        const ws = seededValues(count(c.w), v.seed + 1);
        const r = seededValues(count([...c.x.slice(0, 4), c.w[4]] as Shape5), v.seed + 2);
        const got = convWithGrads(v.conv, xs, ws, c.x, c.w, r);
        const ref = convWithGrads(reference, xs, ws, c.x, c.w, r);
        expect(got.yShape).toEqual([...c.x.slice(0, 4), c.w[4]]);
        expect(maxRelativeError(got.y, ref.y)).toBeLessThan(1e-5);
        expect(maxRelativeError(got.dx, ref.dx)).toBeLessThan(1e-5);
        expect(maxRelativeError(got.dw, ref.dw)).toBeLessThan(1e-5);
      });
    }
  }

  it('pad3d pads D, H and W by the amounts asked, zeros outside, values in place', () => {
    const x = tensor5([2, 2, 3, 1, 2], 10);
    const p = pad3d(x, [1, 0, 2], [0, 2, 1]);
    expect(p.shape).toEqual([2, 3, 5, 4, 2]);
    const xb = x.bufferSync();
    const pb = p.bufferSync();
    let sum = 0;
    for (let n = 0; n < 2; n++)
      for (let d = 0; d < 3; d++)
        for (let h = 0; h < 5; h++)
          for (let w = 0; w < 4; w++)
            for (let c = 0; c < 2; c++) {
              const [sd, sh, sw] = [d - 1, h, w - 2];
              const inside = sd >= 0 && sd < 2 && sh < 3 && sw >= 0 && sw < 1;
              expect(pb.get(n, d, h, w, c)).toBe(inside ? xb.get(n, sd, sh, sw, c) : 0);
              sum += inside ? 1 : 0;
            }
    expect(sum).toBe(x.size);
  });

  it('takes its kernel in the Conv3D layout: a one-hot kernel shifts along the right axis', () => {
    // w[kd=1, kh=1, kw=2] = 1: y[d, h, w] = x[d, h, w + 1] (0 past the end).
    const x = tf.tensor5d(Float32Array.from({ length: 2 * 3 * 4 }, (_, n) => n + 1), [1, 2, 3, 4, 1]);
    const w = tf.buffer([3, 3, 3, 1, 1]);
    w.set(1, 1, 1, 2, 0, 0);
    const y = conv3dSame3(x, w.toTensor() as tf.Tensor5D).dataSync();
    const xv = x.dataSync();
    for (let d = 0; d < 2; d++)
      for (let h = 0; h < 3; h++)
        for (let q = 0; q < 4; q++) {
          const n = q + 4 * (h + 3 * d);
          expect(y[n]).toBe(q < 3 ? xv[n + 1] : 0);
        }
    x.dispose();
  });

  for (const c of CASES.slice(0, 2)) {
    it(`on wasm matches tf.conv3d on cpu, values and gradients: ${c.name}`, async () => {
      const count = (s: Shape5) => s.reduce((a, b) => a * b, 1);
      const xs = seededValues(count(c.x), 4);
      const ws = seededValues(count(c.w), 5);
      const r = seededValues(count([...c.x.slice(0, 4), c.w[4]] as Shape5), 6);
      const ref = convWithGrads(reference, xs, ws, c.x, c.w, r);
      await tf.setBackend('wasm');
      try {
        const before = tf.memory().numTensors;
        const fast = convWithGrads(conv3dSame3, xs, ws, c.x, c.w, r);
        expect(tf.memory().numTensors).toBe(before);
        expect(maxRelativeError(fast.y, ref.y)).toBeLessThan(1e-3);
        expect(maxRelativeError(fast.dx, ref.dx)).toBeLessThan(1e-3);
        expect(maxRelativeError(fast.dw, ref.dw)).toBeLessThan(1e-3);
      } finally {
        await tf.setBackend('cpu');
      }
    });
  }
});

describe('Conv3dLayer', () => {
  it('adds its bias to tf.conv3d (kernel 3) and to a pointwise product (kernel 1)', () => {
    for (const kernelSize of [1, 3] as const) {
      const layer = new Conv3dLayer({ filters: 3, kernelSize });
      const x = tensor5([1, 4, 3, 5, 2], 7);
      layer.apply(x); // builds
      const kernel = tensor5([kernelSize, kernelSize, kernelSize, 2, 3], 8);
      const bias = tf.tensor1d([0.5, -1, 2]);
      layer.setWeights([kernel, bias]);
      const y = (layer.apply(x) as tf.Tensor).dataSync();
      const expected = tf.tidy(() => tf.add(tf.conv3d(x, kernel, 1, 'same'), bias).dataSync());
      expect(maxRelativeError(y, expected), `kernel ${kernelSize}`).toBeLessThan(1e-5);
      tf.dispose([x, kernel, bias]);
      layer.dispose();
    }
  });
});

/** Naive 2x2x2 max pooling of [N, D, H, W, C] (even sizes), i.e. what tf.maxPool3d computes. */
function naiveMaxPool(x: Float32Array, [n, d, h, w, c]: Shape5): Float32Array {
  const out = new Float32Array(n * (d / 2) * (h / 2) * (w / 2) * c).fill(-Infinity);
  for (let b = 0; b < n; b++)
    for (let z = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let q = 0; q < w; q++)
          for (let ch = 0; ch < c; ch++) {
            const o = (((b * (d / 2) + (z >> 1)) * (h / 2) + (y >> 1)) * (w / 2) + (q >> 1)) * c + ch;
            out[o] = Math.max(out[o], x[(((b * d + z) * h + y) * w + q) * c + ch]);
          }
  return out;
}

describe('MaxPool3d', () => {
  const shape: Shape5 = [2, 4, 6, 4, 3];
  // Every other 2x2x2 window all negative (values in [-5, -1)), the rest mixed in [-1, 1).
  const values = seededValues(shape.reduce((a, b) => a * b, 1), 9);
  for (let v = 0; v < values.length; v++) {
    const [q, y, z] = [Math.floor(v / 3) % 4, Math.floor(v / 12) % 6, Math.floor(v / 72) % 4];
    if (((q >> 1) + (y >> 1) + (z >> 1)) % 2 === 0) values[v] = values[v] * 2 - 3;
  }

  it('equals tf.maxPool3d and a naive loop on cpu, including all-negative windows', () => {
    const x = tf.tensor5d(values, shape);
    const y = new MaxPool3d({}).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 2, 3, 2, 3]);
    const ref = tf.maxPool3d(x, 2, 2, 'valid');
    const naive = naiveMaxPool(values, shape);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(Array.from(y.dataSync())).toEqual(Array.from(naive));
    expect(naive.filter((v) => v < -1).length).toBeGreaterThanOrEqual(naive.length / 2);
    tf.dispose([x, y, ref]);
  });

  it('has the gradient of tf.maxPool3d on cpu', () => {
    const x = tf.tensor5d(values, shape);
    const r = tf.tensor5d(seededValues(2 * 2 * 3 * 2 * 3, 10), [2, 2, 3, 2, 3]);
    const pool = new MaxPool3d({});
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool.apply(a) as tf.Tensor, r)))(x);
    const gRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(a as tf.Tensor5D, 2, 2, 'valid'), r)))(x);
    expect(maxRelativeError(g.dataSync(), gRef.dataSync())).toBeLessThan(1e-6);
    // One non-zero per window: the argmax.
    expect(g.dataSync().filter((v) => v !== 0).length).toBe(2 * 2 * 3 * 2 * 3);
    tf.dispose([x, r, g, gRef]);
  });

  it('is correct on wasm too (wasm\'s own MaxPool3D is not, for all-negative windows)', async () => {
    const naive = naiveMaxPool(values, shape);
    await tf.setBackend('wasm');
    try {
      const y = tf.tidy(() => (new MaxPool3d({}).apply(tf.tensor5d(values, shape)) as tf.Tensor).dataSync());
      expect(Array.from(y)).toEqual(Array.from(naive));
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('Upsample3d', () => {
  it.each(['cpu', 'wasm'])('equals a naive nearest-neighbour 2x upsampling loop on %s', async (backend) => {
    const shape: Shape5 = [2, 2, 3, 4, 3];
    const [n, d, h, w, c] = shape;
    const values = seededValues(n * d * h * w * c, 12);
    await tf.setBackend(backend);
    const y = tf.tidy(() => (new Upsample3d({}).apply(tf.tensor5d(values, shape)) as tf.Tensor));
    expect(y.shape).toEqual([n, 2 * d, 2 * h, 2 * w, c]);
    const got = y.dataSync();
    y.dispose();
    await tf.setBackend('cpu');
    let o = 0;
    for (let b = 0; b < n; b++)
      for (let z = 0; z < 2 * d; z++)
        for (let yy = 0; yy < 2 * h; yy++)
          for (let q = 0; q < 2 * w; q++)
            for (let ch = 0; ch < c; ch++, o++) {
              const src = (((b * d + (z >> 1)) * h + (yy >> 1)) * w + (q >> 1)) * c + ch;
              expect(got[o]).toBe(values[src]);
            }
  });

  it('has the gradient of nearest upsampling: the sum over each 2x2x2 block', () => {
    const r = seededValues(1 * 4 * 4 * 2 * 1, 13);
    const g = tf.tidy(() => {
      const rT = tf.tensor5d(r, [1, 4, 4, 2, 1]);
      const up = new Upsample3d({});
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(up.apply(a) as tf.Tensor, rT)))(tf.zeros([1, 2, 2, 1, 1])).dataSync();
    });
    for (let z = 0; z < 2; z++)
      for (let y = 0; y < 2; y++) {
        let sum = 0;
        for (let dz = 0; dz < 2; dz++) for (let dy = 0; dy < 2; dy++) for (let q = 0; q < 2; q++) sum += r[((2 * z + dz) * 4 + 2 * y + dy) * 2 + q];
        expect(g[z * 2 + y]).toBeCloseTo(sum, 5);
      }
  });
});

describe('InstanceNorm3d', () => {
  it('gives every sample and channel mean 0 and variance 1 (gamma 1, beta 0)', () => {
    const shape: Shape5 = [2, 3, 4, 5, 3];
    const voxels = 3 * 4 * 5;
    // Per (sample, channel) offsets and scales far from 0 / 1.
    const raw = seededValues(shape.reduce((a, b) => a * b, 1), 14);
    const values = raw.map((v, n) => {
      const ch = n % 3;
      const b = Math.floor(n / (voxels * 3));
      return v * (1 + 3 * ch + b) + 10 * ch - 5 * b;
    });
    const y = tf.tidy(() => (new InstanceNorm3d().apply(tf.tensor5d(values, shape)) as tf.Tensor).dataSync());
    for (let b = 0; b < 2; b++)
      for (let ch = 0; ch < 3; ch++) {
        let sum = 0;
        let squares = 0;
        for (let v = 0; v < voxels; v++) sum += y[(b * voxels + v) * 3 + ch];
        const mean = sum / voxels;
        for (let v = 0; v < voxels; v++) squares += (y[(b * voxels + v) * 3 + ch] - mean) ** 2;
        expect(mean).toBeCloseTo(0, 5);
        expect(squares / voxels).toBeCloseTo(1, 3);
      }
  });

  it('applies its learned scale and shift per channel', () => {
    const layer = new InstanceNorm3d();
    const x = tensor5([1, 2, 3, 4, 2], 15);
    layer.apply(x);
    layer.setWeights([tf.tensor1d([2, 0.5]), tf.tensor1d([3, -1])]);
    const y = (layer.apply(x) as tf.Tensor).dataSync();
    for (const [ch, scale, shift] of [[0, 2, 3], [1, 0.5, -1]]) {
      const values = Array.from({ length: 24 }, (_, v) => y[v * 2 + ch]);
      const mean = values.reduce((a, b) => a + b, 0) / 24;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / 24;
      expect(mean).toBeCloseTo(shift, 4);
      expect(Math.sqrt(variance)).toBeCloseTo(scale, 3);
    }
    x.dispose();
  });
});

describe('InstanceNorm3d against the tf.moments formula', () => {
  // (x - mean) / sqrt(var + eps) * gamma + beta with tf.moments over the voxels: an independent
  // reference for the layer's matMul form, values and input gradient, on cpu and on wasm.
  const shape: Shape5 = [2, 3, 4, 5, 3];
  const size = shape.reduce((a, b) => a * b, 1);
  const values = seededValues(size, 20).map((v, n) => v * (1 + (n % 3)) + 4 * (n % 3));
  const r = seededValues(size, 21);
  const reference = (x: tf.Tensor) => {
    const flat = x.reshape([2, 60, 3]);
    const { mean, variance } = tf.moments(flat, 1, true);
    const normed = tf.mul(tf.sub(flat, mean), tf.rsqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(normed, tf.tensor1d([1.5, 0.5, 2])), tf.tensor1d([0.1, -0.2, 0.3])).reshape(shape);
  };
  for (const backend of ['cpu', 'wasm']) {
    it(`has the same values and input gradient on ${backend}`, async () => {
      await tf.setBackend(backend);
      try {
        const layer = new InstanceNorm3d();
        const x = tf.tensor5d(values, shape);
        layer.apply(x);
        layer.setWeights([tf.tensor1d([1.5, 0.5, 2]), tf.tensor1d([0.1, -0.2, 0.3])]);
        const rT = tf.tensor5d(r, shape);
        const y = layer.apply(x) as tf.Tensor;
        const yRef = reference(x);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a) as tf.Tensor, rT)))(x);
        const gRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reference(a), rT)))(x);
        expect(maxRelativeError(y.dataSync(), yRef.dataSync())).toBeLessThan(1e-4);
        expect(maxRelativeError(g.dataSync(), gRef.dataSync())).toBeLessThan(1e-3);
        tf.dispose([x, rT, y, yRef, g, gRef]);
        layer.dispose();
      } finally {
        await tf.setBackend('cpu');
      }
    });
  }
});

describe('ChannelConcat', () => {
  it('equals tf.concat on axis 4, and its gradient splits dy back per input', () => {
    const a = tensor5([2, 2, 3, 2, 2], 16);
    const b = tensor5([2, 2, 3, 2, 3], 17);
    const c = tensor5([2, 2, 3, 2, 1], 18);
    const layer = new ChannelConcat({});
    const y = layer.apply([a, b, c]) as tf.Tensor;
    const ref = tf.concat([a, b, c], 4);
    expect(y.shape).toEqual([2, 2, 3, 2, 6]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const r = tensor5([2, 2, 3, 2, 6], 19);
    const grads = tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(layer.apply([p, q, s]) as tf.Tensor, r)))([a, b, c]);
    const expected = tf.split(r, [2, 3, 1], 4);
    grads.forEach((g, n) => expect(Array.from(g.dataSync())).toEqual(Array.from(expected[n].dataSync())));
    tf.dispose([a, b, c, y, ref, r, ...grads, ...expected]);
  });
});
