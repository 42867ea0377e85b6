import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { removeDataDir, startTestServer } from './helpers/test-server.js';

const NO_PROVIDER = /^no model provider is set \(OPENAI_API_KEY, OPENAI_BASE_URL or MODELS_CONFIG\)/;

/** What a new user reads when the server starts: where the Playground is, and what is still missing. */
describe('start-up messages', () => {
  test('without any model provider setting the server warns that runs will fail, and names the Playground URL', async () => {
    const server = await startTestServer({ env: { EMBEDDING_MODEL: 'none' } });
    try {
      const warning = server.logs.find((entry) => typeof entry.msg === 'string' && NO_PROVIDER.test(entry.msg));
      assert.ok(warning, JSON.stringify(server.logs.map((entry) => entry.msg)));
      assert.equal(warning.level, 40, 'logged as a warning');
      const listening = server.logs.find((entry) => entry.url === server.url);
      assert.equal(
        listening?.msg,
        `assistants-server listening on ${server.url} (the Playground: ${server.url}/playground)`,
      );
    } finally {
      await server.stop();
      removeDataDir(server);
    }
  });

  test('with OPENAI_BASE_URL set (a local OpenAI-compatible server) there is no such warning', async () => {
    const server = await startTestServer({
      env: { EMBEDDING_MODEL: 'none', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
    try {
      assert.ok(server.logs.some((entry) => entry.url === server.url));
      assert.equal(
        server.logs.some((entry) => typeof entry.msg === 'string' && NO_PROVIDER.test(entry.msg)),
        false,
      );
    } finally {
      await server.stop();
      removeDataDir(server);
    }
  });
});
