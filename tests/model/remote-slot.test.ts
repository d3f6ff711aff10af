import { describe, expect, it } from 'vitest';
import type { PatchBox, Vec3 } from '../../src/core/types.ts';
import { type PredictRequest, remoteSlot, type StartRequest } from '../../src/model/remote-slot.ts';

const dims: Vec3 = [4, 4, 4];
const box = (x: number): PatchBox => ({ start: [x, 0, 0], size: [2, 2, 2] });

/** A remote slot whose posts are recorded, as a thread would receive them. */
function recorded() {
  const posted: (StartRequest<{ tag: string }> | PredictRequest)[] = [];
  const remote = remoteSlot<{ tag: string }>((request) => posted.push(request));
  return { remote, posted };
}

/** Whether a promise has settled, after pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

describe('remoteSlot', () => {
  it('posts a start with the transport\'s extra fields and resolves it on the started reply', async () => {
    const { remote, posted } = recorded();
    const channels = [new Float32Array(64)];
    const start = remote.start(channels, dims, { tag: 'model-a' });
    expect(posted).toEqual([{ type: 'start', tag: 'model-a', channels, dims }]);
    expect(await settled(start)).toBe(false);
    remote.receive({ type: 'started' });
    await expect(start).resolves.toBeUndefined();
  });

  it('gives each batch its own id and settles replies that arrive out of order', async () => {
    const { remote, posted } = recorded();
    const first = remote.predict([box(0)], false);
    const second = remote.predict([box(1)], true);
    expect(posted.map((r) => r.type === 'predict' && [r.id, r.flipped, r.boxes[0].start[0]])).toEqual([[0, false, 0], [1, true, 1]]);
    remote.receive({ type: 'probs', id: 1, probs: new Float32Array([2]) });
    expect(await settled(first)).toBe(false);
    remote.receive({ type: 'error', id: 0, message: 'out of memory' });
    await expect(second).resolves.toEqual(new Float32Array([2]));
    await expect(first).rejects.toThrow('out of memory');
  });

  it('fails the oldest open start on an error with no batch id', async () => {
    const { remote } = recorded();
    const a = remote.start([], dims, { tag: 'a' });
    const b = remote.start([], dims, { tag: 'b' });
    remote.receive({ type: 'error', id: null, message: 'bad model' });
    remote.receive({ type: 'started' });
    await expect(a).rejects.toThrow('bad model');
    await expect(b).resolves.toBeUndefined();
  });

  it('once failed, rejects what is open and every later request without posting it', async () => {
    const { remote, posted } = recorded();
    const start = remote.start([], dims, { tag: 'a' });
    const batch = remote.predict([box(0)], false);
    expect(remote.dead).toBe(false);
    remote.fail(new Error('thread exited'));
    remote.fail(new Error('a second reason'));
    expect(remote.dead).toBe(true);
    await expect(start).rejects.toThrow('thread exited');
    await expect(batch).rejects.toThrow('thread exited');
    const count = posted.length;
    await expect(remote.predict([box(1)], false)).rejects.toThrow('thread exited');
    await expect(remote.start([], dims, { tag: 'b' })).rejects.toThrow('thread exited');
    expect(posted.length).toBe(count);
  });

  it('ignores a reply to a batch it no longer holds', async () => {
    const { remote } = recorded();
    const batch = remote.predict([box(0)], false);
    remote.receive({ type: 'probs', id: 0, probs: new Float32Array([1]) });
    expect(() => remote.receive({ type: 'probs', id: 0, probs: new Float32Array([3]) })).not.toThrow();
    await expect(batch).resolves.toEqual(new Float32Array([1]));
  });
});
