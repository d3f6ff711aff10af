import * as tf from '@tensorflow/tfjs';

/**
 * 3x3x3 'same' convolution, stride 1, written as one conv2d over depth-stacked channels, with a
 * hand-written gradient (matMul for the filter gradient).
 *
 * Why: on CPUs the wasm backend's conv2d (XNNPACK) runs ~30x faster than any conv3d kernel here, and
 * wasm has no Conv2DBackpropFilter, so tfjs's own gradient cannot be used (see docs/platform-notes).
 * The result equals tf.conv3d(x, w, 1, 'same') up to float rounding.
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

/** Forward pass: concatenate the three depth-shifted copies of x along channels, one conv2d. */
function forward(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, wd, ci] = x.shape;
    const co = w.shape[4];
    const m = n * d * h * wd;
    // Rank-5 slice/pad are slow on wasm and broken on webgpu: work on rank-3 views [N, D, H*W*C].
    const xp = tf.pad(x.reshape([n, d, h * wd * ci]), [[0, 0], [1, 1], [0, 0]]);
    const shifted = [0, 1, 2].map((kd) => tf.slice(xp, [0, kd, 0], [n, d, -1]).reshape([m, ci]));
    const stacked = tf.concat(shifted, 1).reshape([n * d, h, wd, 3 * ci]) as tf.Tensor4D;
    // [kd, kh, kw, ci, co] -> [kh, kw, kd*ci + ci', co] to match the channel stacking above.
    const w2 = tf.transpose(w, [1, 2, 0, 3, 4]).reshape([3, 3, 3 * ci, co]) as tf.Tensor4D;
    return tf.conv2d(stacked, w2, 1, 'same').reshape([n, d, h, wd, co]) as tf.Tensor5D;
  });
}

/** dL/dx of a 'same' stride-1 conv is the same conv of dy with the flipped, channel-swapped kernel. */
function inputGrad(dy: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const wFlipped = tf.transpose(tf.reverse(w, [0, 1, 2]), [0, 1, 2, 4, 3]) as tf.Tensor5D;
    return forward(dy, wFlipped);
  });
}

/**
 * dL/dw[kd,kh,kw,ci,co] = sum over (n,d,y,x) of x[n,d+kd,y+kh,x+kw,ci] * dy[n,d,y,x,co] (x padded).
 * Per depth offset kd this is itself a 'valid' conv2d with channels and batch swapped: input
 * [Ci, H+2, W+2, N*D] (batch = Ci, channels = the N*D slices), filter dy as [H, W, N*D, Co],
 * output [Ci, 3, 3, Co]. That reuses the fast conv2d kernel (im2col + wasm matMul is 4x slower).
 */
function filterGrad(x: tf.Tensor5D, dy: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, wd, ci] = x.shape;
    const co = dy.shape[4];
    const xpD = tf.pad(x.reshape([n, d, h * wd * ci]), [[0, 0], [1, 1], [0, 0]]);
    const xp = tf.pad(xpD.reshape([n * (d + 2), h, wd, ci]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
    // [N, D+2, H+2, W+2, Ci] -> [Ci, H+2, W+2, N, D+2], viewed as rows of D+2 depth samples.
    // Transposes go through rank-3 views: wasm's rank-5 transpose is ~10x slower.
    const xt = tf.transpose(xp.reshape([n * (d + 2), (h + 2) * (wd + 2), ci]), [2, 1, 0]);
    const rows = xt.reshape([ci * (h + 2) * (wd + 2) * n, d + 2]);
    const dyT = tf.transpose(dy.reshape([n * d, h * wd, co]), [1, 0, 2]);
    const dyFilter = dyT.reshape([h, wd, n * d, co]) as tf.Tensor4D;
    const perDepth = [0, 1, 2].map((kd) => {
      const slab = tf.slice(rows, [0, kd], [-1, d]).reshape([ci, h + 2, wd + 2, n * d]) as tf.Tensor4D;
      return tf.conv2d(slab, dyFilter, 1, 'valid'); // [Ci, 3, 3, Co]
    });
    return tf.transpose(tf.stack(perDepth, 0), [0, 2, 3, 1, 4]) as tf.Tensor5D; // small: weights
  });
}
