import * as tf from '@tensorflow/tfjs';
import { flippedTransposed } from './conv3d-fast.ts';

/**
 * 3x3x3 'same' convolution, stride 1, for the GPU backends (webgpu, webgl): tf.conv3d forward, with
 * a hand-written gradient.
 *
 * Why: tfjs's Conv3DBackpropFilterV2 kernel is ~14x slower than the forward conv on an H200 and
 * bounds training there (docs/platform-notes.md). Here the filter gradient is 27 matMuls, one per
 * tap, of the padded input against the tap-shifted output gradient; their outputs are tiny and
 * their inner dimension huge, which tfjs-webgpu runs with its split-K matMul. The input gradient is
 * the forward conv of dy with the flipped, channel-swapped kernel. Equals tf.conv3d and its
 * gradients; all slicing and padding goes through rank-3/4 views (rank-5 slice/pad is broken on
 * webgpu).
 *
 * x: [N, D, H, W, Ci], w: [3, 3, 3, Ci, Co] -> [N, D, H, W, Co]
 */
export function conv3dSame3Gpu(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xt, wt, save] = args as [tf.Tensor5D, tf.Tensor5D, tf.GradSaveFunc];
    save([xt, wt]);
    return {
      value: tf.conv3d(xt, wt, 1, 'same'),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor5D, tf.Tensor5D];
        return [tf.conv3d(dy as tf.Tensor5D, flippedTransposed(ws), 1, 'same'), filterGradByTaps(xs, dy as tf.Tensor5D)];
      },
    };
  });
  return op(x, w) as tf.Tensor5D;
}

type Triple = readonly [number, number, number];

/**
 * dL/dw[k] = sum over p of x[p + k - 1] * dy[p] (k in {0,1,2}^3, x zero outside). With xp = x padded
 * by 1 and dy_k = dy padded by (k, 2 - k), both on the same (D+2)(H+2)(W+2) grid, that is
 * xp^T dy_k: one [Ci, Co] matMul per tap. Only dy, usually the narrower side, is shifted.
 */
function filterGradByTaps(x: tf.Tensor5D, dy: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const ci = x.shape[4];
    const co = dy.shape[4];
    const flat = (t: tf.Tensor, c: number) => t.reshape([-1, c]) as tf.Tensor2D;
    const xp = flat(pad3d(x, [1, 1, 1], [1, 1, 1]), ci);
    const taps: tf.Tensor2D[] = [];
    for (let kd = 0; kd < 3; kd++) {
      for (let kh = 0; kh < 3; kh++) {
        for (let kw = 0; kw < 3; kw++) {
          const dyk = flat(pad3d(dy, [kd, kh, kw], [2 - kd, 2 - kh, 2 - kw]), co);
          taps.push(tf.matMul(xp, dyk, true, false));
        }
      }
    }
    return tf.stack(taps).reshape([3, 3, 3, ci, co]) as tf.Tensor5D;
  });
}

/** Zero-pads the three spatial axes of [N, D, H, W, C] through a rank-4 and a rank-3 view. */
export function pad3d(t: tf.Tensor5D, before: Triple, after: Triple): tf.Tensor5D {
  const [n, d, h, w, c] = t.shape;
  const h2 = h + before[1] + after[1];
  const w2 = w + before[2] + after[2];
  const d2 = d + before[0] + after[0];
  const inPlane = tf.pad(t.reshape([n * d, h, w, c]), [[0, 0], [before[1], after[1]], [before[2], after[2]], [0, 0]]);
  const deep = tf.pad(inPlane.reshape([n, d, h2 * w2 * c]), [[0, 0], [before[0], after[0]], [0, 0]]);
  return deep.reshape([n, d2, h2, w2, c]) as tf.Tensor5D;
}
