import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTokenCountPool, TokenCountUnavailableError } from '../src/providers/token-count-pool.js';

const BROKEN_WORKER = fileURLToPath(new URL('./fixtures/broken-token-count-worker.mjs', import.meta.url));

describe('token-count pool', () => {
  test('a worker that fails to start fails the task given to it, and every later one, instead of leaving them pending', async () => {
    const reported: unknown[] = [];
    const pool = createTokenCountPool({
      threads: 1,
      workerFile: BROKEN_WORKER,
      onError: (error) => reported.push(error),
    });
    try {
      for (const texts of [['hello world'], ['a', 'b']]) {
        await assert.rejects(pool.count('o200k_base', texts), (error: unknown) => {
          assert.ok(error instanceof TokenCountUnavailableError);
          assert.match(error.message, /Token counting is unavailable: .*broken token-count worker/);
          return true;
        });
      }
      assert.ok(reported.length >= 1, 'the failure is reported to onError');
      // Tasks at once on the same broken pool all fail too.
      const results = await Promise.allSettled([pool.count('o200k_base', ['x']), pool.count('cl100k_base', ['y'])]);
      assert.deepEqual(
        results.map((result) => result.status),
        ['rejected', 'rejected'],
      );
    } finally {
      await pool.close();
    }
  });

  test('a working pool counts as before', async () => {
    const pool = createTokenCountPool({ threads: 1 });
    try {
      assert.deepEqual(await pool.count('o200k_base', ['', 'hello world']), [0, 2]);
    } finally {
      await pool.close();
    }
  });
});
