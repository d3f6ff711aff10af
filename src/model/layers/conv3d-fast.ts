import * as tf from '@tensorflow/tfjs';

/**
 * 3x3x3 'same' convolution, stride 1, computed with conv2d and a hand-written gradient.
 *
 * Why: on CPUs the wasm backend's conv2d (XNNPACK) runs ~30x faster than any conv3d kernel here, and
 * wasm has no Conv2DBackpropFilter, so tfjs's own gradient cannot be used (docs/platform-notes.md).
 * The three depth taps are handled by shifting whichever side (input or output) has fewer
 * channels, since memory copies are slow in wasm. Equals tf.conv3d(x, w, 1, 'same').
 *
 * x: [N, D, H, W, Ci], w: [3, 3, 3, Ci, Co] (the Conv3D layout) -> [N, D, H, W, Co]
 */
export function conv3dSame3(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xt, wt, save] = args as [tf.Tensor5D, tf.Tensor5D, tf.GradSaveFunc];
    save([xt, wt]);
    return {
      value: forward(xt, wt),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor5D, tf.Tensor5D];
        return [inputGrad(dy as tf.Tensor5D, ws), filterGrad(xs, dy as tf.Tensor5D)];
      },
    };
  });
  return op(x, w) as tf.Tensor5D;
}

/** Picks the cheaper of two equivalent formulations by which side has fewer channels to copy. */
function forward(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  return x.shape[4] <= w.shape[4] ? forwardStacked(x, w) : forwardTaps(x, w);
}

/**
 * Few input channels: stack the three depth-shifted copies of x along channels ([.., 3*Ci]) and
 * run one conv2d with the kernel reshaped to [kh, kw, kd*Ci + ci, co].
 */
function forwardStacked(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, wd, ci] = x.shape;
    const co = w.shape[4];
    const m = n * d * h * wd;
    // Rank-5 slice/pad are slow on wasm and broken on webgpu: work on rank-3 views [N, D, H*W*C].
    const xp = tf.pad(x.reshape([n, d, h * wd * ci]), [[0, 0], [1, 1], [0, 0]]);
    const shifted = [0, 1, 2].map((kd) => tf.slice(xp, [0, kd, 0], [n, d, -1]).reshape([m, ci]));
    const stacked = tf.concat(shifted, 1).reshape([n * d, h, wd, 3 * ci]) as tf.Tensor4D;
    const w2 = tf.transpose(w, [1, 2, 0, 3, 4]).reshape([3, 3, 3 * ci, co]) as tf.Tensor4D;
    return tf.conv2d(stacked, w2, 1, 'same').reshape([n, d, h, wd, co]) as tf.Tensor5D;
  });
}

/**
 * Few output channels: z_kd = conv2d(x, w[kd]) over every depth slice, then
 * y[d] = z0[d-1] + z1[d] + z2[d+1]; only the small Co-channel outputs are shifted.
 * Worked example, D = 3: y[0] = z1[0] + z2[1]; y[1] = z0[0] + z1[1] + z2[2]; y[2] = z0[1] + z1[2].
 */
function forwardTaps(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, wd, ci] = x.shape;
    const co = w.shape[4];
    const slices = x.reshape([n * d, h, wd, ci]) as tf.Tensor4D;
    const tap = (kd: number) => {
      // Through a rank-2 view: rank-5 slice is slow on wasm (and broken on webgpu).
      const wk = tf.slice(w.reshape([3, 9 * ci * co]), [kd, 0], [1, -1]).reshape([3, 3, ci, co]) as tf.Tensor4D;
      return tf.conv2d(slices, wk, 1, 'same').reshape([n, d, h * wd * co]);
    };
    const fromBelow = tf.slice(tf.pad(tap(0), [[0, 0], [1, 0], [0, 0]]), [0, 0, 0], [n, d, -1]);
    const fromAbove = tf.slice(tf.pad(tap(2), [[0, 0], [0, 1], [0, 0]]), [0, 1, 0], [n, d, -1]);
    return tf.addN([fromBelow, tap(1), fromAbove]).reshape([n, d, h, wd, co]) as tf.Tensor5D;
  });
}

/** dL/dx of a 'same' stride-1 conv is the same conv of dy with the flipped, channel-swapped kernel. */
function inputGrad(dy: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => forward(dy, flippedTransposed(w)));
}

/**
 * w[2-kd, 2-kh, 2-kw, co, ci]: reversing the flattened 27 taps reverses all three axes at once.
 * Through a rank-3 view, since tf.reverse of a rank-5 tensor throws on webgpu.
 */
export function flippedTransposed(w: tf.Tensor5D): tf.Tensor5D {
  const [, , , ci, co] = w.shape;
  return tf.transpose(tf.reverse(w.reshape([27, ci, co]), 0), [0, 2, 1]).reshape([3, 3, 3, co, ci]) as tf.Tensor5D;
}

/**
 * dL/dw[kd,kh,kw,ci,co] = sum over (n,e,y,x) of xp[n,e,y+kh,x+kw,ci] * dy[n,e-kd+1,y,x,co] (x padded
 * in-plane, dy zero outside its depth range). That is one 'valid' conv2d with batch and channels
 * swapped: input x as [Ci, H+2, W+2, N*D], filter the three depth-shifted copies of dy as
 * [H, W, N*D, 3*Co], output [Ci, 3, 3, 3*Co]. It reuses the fast conv2d kernel and shifts only dy.
 */
function filterGrad(x: tf.Tensor5D, dy: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, wd, ci] = x.shape;
    const co = dy.shape[4];
    const m = n * d * h * wd;
    const xp = tf.pad(x.reshape([n * d, h, wd, ci]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
    // Transposes through rank-3 views: wasm's rank-5 transpose is ~10x slower.
    const xt = tf.transpose(xp.reshape([n * d, (h + 2) * (wd + 2), ci]), [2, 1, 0]).reshape([ci, h + 2, wd + 2, n * d]) as tf.Tensor4D;
    const dyPadded = tf.pad(dy.reshape([n, d, h * wd * co]), [[0, 0], [1, 1], [0, 0]]);
    // shifted_kd[e] = dy[e - kd + 1] = dyPadded[e - kd + 2]
    const shifted = [0, 1, 2].map((kd) => tf.slice(dyPadded, [0, 2 - kd, 0], [n, d, -1]).reshape([m, co]));
    const stacked = tf.concat(shifted, 1).reshape([n * d, h * wd, 3 * co]);
    const filter = tf.transpose(stacked, [1, 0, 2]).reshape([h, wd, n * d, 3 * co]) as tf.Tensor4D;
    const g = tf.conv2d(xt, filter, 1, 'valid').reshape([ci, 3, 3, 3, co]); // [ci, kh, kw, kd, co]
    return tf.transpose(g, [3, 1, 2, 0, 4]) as tf.Tensor5D; // small: weights
  });
}
