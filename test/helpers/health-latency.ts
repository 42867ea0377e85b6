import assert from 'node:assert/strict';

/**
 * Polls `GET /health` back to back until `done` settles and returns the slowest answer in ms: how long the
 * server's event loop was blocked while `done`'s work ran.
 */
export async function slowestHealthCheck(url: string, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  let slowest = 0;
  while (!finished) {
    const started = performance.now();
    const response = await fetch(`${url}/health`);
    await response.text();
    assert.equal(response.status, 200);
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return slowest;
}
