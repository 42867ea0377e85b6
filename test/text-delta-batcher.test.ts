import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDeltaBatcher } from '../src/runs/text-delta-batcher.js';

/** A write that resolves when the test says so, recording each batch it was given. */
function controlledWrites() {
  const batches: string[][] = [];
  const releases: Array<(error?: Error) => void> = [];
  const write = (chunks: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push([...chunks]);
      releases.push((error) => (error ? reject(error) : resolve()));
    });
  return { batches, releases, write };
}

describe('TextDeltaBatcher', () => {
  test('the first chunk is written at once; chunks arriving during that write go out together next, in order', async () => {
    const { batches, releases, write } = controlledWrites();
    const batcher = new TextDeltaBatcher(write);
    await batcher.push('a');
    assert.deepEqual(batches, [['a']]);
    await batcher.push('b');
    await batcher.push('c');
    assert.deepEqual(batches, [['a']], 'nothing more is written while a write is in flight');
    releases[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [['a'], ['b', 'c']]);
    releases[1]?.();
    await batcher.flush();
    assert.deepEqual(batches.flat().join(''), 'abc');
  });

  test('a full batch makes the next push wait for the write in flight', async () => {
    const { batches, releases, write } = controlledWrites();
    const batcher = new TextDeltaBatcher(write);
    await batcher.push('first');
    let waited = false;
    const pushes: Array<Promise<void>> = [];
    for (let index = 0; index < 32; index += 1) pushes.push(batcher.push(`${index}`));
    void Promise.all(pushes).then(() => {
      waited = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(waited, false, 'the 32nd queued chunk waits');
    releases[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(batches[1]?.length, 32);
    releases[1]?.();
    await Promise.all(pushes);
    assert.equal(waited, true);
  });

  test("a write's failure reaches flush and every later push, and nothing more is written", async () => {
    const { batches, releases, write } = controlledWrites();
    const batcher = new TextDeltaBatcher(write);
    await batcher.push('a');
    await batcher.push('b');
    releases[0]?.(new Error('interrupted'));
    await assert.rejects(batcher.flush(), /interrupted/);
    await assert.rejects(batcher.push('c'), /interrupted/);
    assert.deepEqual(batches, [['a']]);
  });
});
