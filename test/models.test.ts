import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { azureClient } from './helpers/azure-client.js';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { type ScriptedUpstream, startScriptedUpstream } from './upstream/index.js';

let upstream: ScriptedUpstream;
let server: TestServer;
let client: OpenAI;
let folder: string;

before(async () => {
  upstream = await startScriptedUpstream();
  folder = mkdtempSync(path.join(tmpdir(), 'models-route-'));
  const config = path.join(folder, 'models.json');
  writeFileSync(
    config,
    JSON.stringify({
      providers: { local: { type: 'openai-compatible', baseURL: upstream.baseURL } },
      models: [
        { match: 'house-model', provider: 'local', model: 'gpt-4o' },
        { match: 'claude-*', provider: 'local' },
        { match: 'gpt-4o', provider: 'openai' },
      ],
    }),
  );
  server = await startTestServer({
    env: {
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'upstream-key',
      EMBEDDING_MODEL: 'none',
      MODELS_CONFIG: config,
    },
  });
  client = sdkClient(server);
});

after(async () => {
  await server.stop();
  await upstream.close();
  removeDataDir(server);
  rmSync(folder, { recursive: true, force: true });
});

describe('models', () => {
  test('the list holds the configured models, then the default upstream’s, each once, in OpenAI’s shape', async () => {
    upstream.models.splice(0, Infinity, 'gpt-4o', 'meta-llama/Llama-3.1-8B-Instruct');
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    assert.deepEqual(
      models.map((model) => [model.id, model.owned_by]),
      [
        ['house-model', 'local'],
        ['gpt-4o', 'openai'],
        ['meta-llama/Llama-3.1-8B-Instruct', 'scripted-upstream'],
      ],
    );
    for (const model of models) {
      assert.equal(model.object, 'model');
      assert.ok(Number.isInteger(model.created) && model.created > 0);
    }
    const asked = upstream.requests.filter((request) => request.path === '/v1/models');
    assert.equal(asked.at(-1)?.headers.authorization, 'Bearer upstream-key');
  });

  test('a model is retrieved by id: listed, routed by a pattern, or with a slash in its id', async () => {
    upstream.models.splice(0, Infinity, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.equal((await client.models.retrieve('house-model')).owned_by, 'local');
    assert.equal((await client.models.retrieve('claude-3-5-haiku')).id, 'claude-3-5-haiku');
    assert.equal((await client.models.retrieve('meta-llama/Llama-3.1-8B-Instruct')).owned_by, 'scripted-upstream');
    // The Python SDK sends the slash unencoded.
    const raw = await fetch(`${server.baseURL}/models/meta-llama/Llama-3.1-8B-Instruct`, {
      headers: { authorization: 'Bearer test-key' },
    });
    assert.equal(raw.status, 200);
    assert.equal(((await raw.json()) as { id: string }).id, 'meta-llama/Llama-3.1-8B-Instruct');
  });

  test('an unknown model is a 404 with OpenAI’s text', async () => {
    const error = await client.models.retrieve('no-such-model').catch((caught: unknown) => caught);
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.message, "404 The model 'no-such-model' does not exist");
    assert.equal(error.code, 'model_not_found');
    assert.equal(error.param, 'model');
  });

  test('an upstream without /models leaves the configured ones; Azure clients list them under /openai', async () => {
    upstream.models.splice(0);
    const azure = azureClient(server);
    const models = [];
    for await (const model of azure.models.list()) models.push(model.id);
    assert.deepEqual(models, ['house-model', 'gpt-4o']);
    assert.equal((await azure.models.retrieve('house-model')).id, 'house-model');
  });
});
