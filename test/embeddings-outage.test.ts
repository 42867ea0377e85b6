import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { withBackendDb } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { pollUntil } from './helpers/poll.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { uploadFile } from './helpers/vector-store-helpers.js';
import { embeddingsResponse } from './upstream/embeddings.js';
import { type ScriptedUpstream, startScriptedUpstream } from './upstream/index.js';

/**
 * An embedding provider that is down never loses a file: files are keyword-indexed and `completed`,
 * search answers from keywords, and the vectors are filled in once the provider answers, also after
 * a restart. Chat goes to the scripted upstream; embeddings to a provider the test switches on and off.
 */

interface SwitchableEmbeddings {
  baseURL: string;
  up: boolean;
  /** Embedding requests answered successfully. */
  answered: number;
  close(): Promise<void>;
}

/** `/v1/embeddings` that drops every connection while down (as an unreachable host would) and answers while up. */
async function startSwitchableEmbeddings(): Promise<SwitchableEmbeddings> {
  const state = { up: false, answered: 0 };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      if (!state.up) {
        request.socket.destroy();
        return;
      }
      const result = embeddingsResponse(JSON.parse(Buffer.concat(parts).toString() || '{}'));
      state.answered += 1;
      response.writeHead(result.ok ? 200 : 400, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result.ok ? result.body : { error: { message: result.message } }));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get up() {
      return state.up;
    },
    set up(value: boolean) {
      state.up = value;
    },
    get answered() {
      return state.answered;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let embeddings: SwitchableEmbeddings;
let upstream: ScriptedUpstream;
let configDir: string;
const servers: TestServer[] = [];

before(async () => {
  embeddings = await startSwitchableEmbeddings();
  upstream = await startScriptedUpstream();
  configDir = mkdtempSync(path.join(tmpdir(), 'embeddings-outage-'));
  writeFileSync(
    path.join(configDir, 'models.json'),
    JSON.stringify({
      providers: { embedder: { type: 'openai-compatible', baseURL: embeddings.baseURL } },
      embeddings: { provider: 'embedder', model: 'text-embedding-3-large', dimensions: 256 },
    }),
  );
});

after(async () => {
  for (const server of servers) await server.stop();
  if (servers[0]) removeDataDir(servers[0]);
  await embeddings?.close();
  await upstream?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function start(dataDir?: string): Promise<{ server: TestServer; client: OpenAI }> {
  const server = await startTestServer({
    ...(dataDir ? { dataDir } : {}),
    env: {
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'upstream-key',
      MODELS_CONFIG: path.join(configDir, 'models.json'),
      EMBEDDING_RETRY_MAX_DELAY_MS: '200',
      EMBEDDING_TIMEOUT_MS: '5000',
    },
  });
  servers.push(server);
  return { server, client: sdkClient(server) };
}

/** Chunks still waiting for their vectors, read from the server's database (SQLite or PostgreSQL). */
function missingVectors(server: TestServer): Promise<number> {
  return withBackendDb(server.dataDir, async (db) => {
    const row = await db.get<{ count: number }>('SELECT count(*) AS count FROM file_search_missing_vectors');
    return row!.count;
  });
}

function providerLogs(server: TestServer, state: 'reachable' | 'unreachable'): Array<Record<string, unknown>> {
  return server.logs.filter((entry) => entry.embeddingProvider === state);
}

async function resultFileIds(client: OpenAI, storeId: string, query: string): Promise<string[]> {
  return (await client.vectorStores.search(storeId, { query, max_num_results: 10 })).data.map(
    (result) => result.file_id,
  );
}

/** No document holds these words: only vector search (nearest neighbours) can answer it. */
const VECTOR_ONLY_QUERY = 'xylophone quasar marmalade';

describe('an embedding provider that is down', () => {
  let server: TestServer;
  let client: OpenAI;
  let storeId: string;
  let volcano: string;
  let reef: string;

  test('files still complete, search answers 200 from keywords, and the outage is logged once', async () => {
    ({ server, client } = await start());
    await pollUntil(() => providerLogs(server, 'unreachable').length > 0, {
      what: 'the start-up log saying the provider is unreachable',
    });
    volcano = (
      await uploadFile(client, 'volcano.txt', 'Stratovolcanoes erupt explosively because their magma is viscous.')
    ).id;
    reef = (await uploadFile(client, 'reef.txt', 'Coral reefs are built by colonies of tiny polyps.')).id;
    const store = await client.vectorStores.create({ name: 'outage' });
    storeId = store.id;
    const batch = await client.vectorStores.fileBatches.createAndPoll(
      storeId,
      { file_ids: [volcano, reef] },
      { pollIntervalMs: 50 },
    );
    assert.deepEqual(batch.file_counts, { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });

    assert.deepEqual(await resultFileIds(client, storeId, 'viscous magma'), [volcano]);
    assert.deepEqual(await resultFileIds(client, storeId, 'polyps'), [reef]);
    assert.deepEqual(
      await resultFileIds(client, storeId, VECTOR_ONLY_QUERY),
      [],
      'keyword search alone finds nothing here',
    );
    assert.equal(await missingVectors(server), 2, 'both chunks wait for their vectors');
    assert.equal(embeddings.answered, 0);
    assert.equal(providerLogs(server, 'unreachable').length, 1, 'retries are not logged again');
    assert.equal(providerLogs(server, 'reachable').length, 0);
  });

  test('the file_search tool answers from keywords in a run', async () => {
    upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['coral polyps'] } }] },
      { text: 'Polyps build reefs.' },
    );
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [storeId] } },
    });
    const run = await client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Who builds reefs?' }] } },
      { pollIntervalMs: 50 },
    );
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
    const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
    const call = steps.data.flatMap((step) =>
      step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [],
    )[0];
    assert.equal(call?.type, 'file_search');
    assert.equal(call?.type === 'file_search' ? call.file_search.results?.[0]?.file_id : undefined, reef);
  });

  test('when it answers again, the missing vectors are filled in and search uses them', {
    timeout: 60_000,
  }, async () => {
    embeddings.up = true;
    await pollUntil(async () => (await missingVectors(server)) === 0, {
      what: 'the backfill to fill in every vector',
      timeoutMs: 30_000,
    });
    await pollUntil(() => providerLogs(server, 'reachable').length > 0, {
      what: 'the log saying the provider is reachable again',
    });
    assert.equal(providerLogs(server, 'reachable').length, 1);
    const nearest = await resultFileIds(client, storeId, VECTOR_ONLY_QUERY);
    assert.deepEqual(new Set(nearest), new Set([volcano, reef]), 'vector search finds the nearest chunks now');
    assert.deepEqual((await resultFileIds(client, storeId, 'viscous magma'))[0], volcano);
  });

  test('vectors still missing at a restart are filled in after it', { timeout: 90_000 }, async () => {
    embeddings.up = false;
    const glacier = (await uploadFile(client, 'glacier.txt', 'Glaciers carve valleys as they creep downhill.')).id;
    const attached = await client.vectorStores.files.createAndPoll(
      storeId,
      { file_id: glacier },
      { pollIntervalMs: 50 },
    );
    assert.equal(attached.status, 'completed', JSON.stringify(attached.last_error));
    assert.deepEqual(await resultFileIds(client, storeId, 'glaciers carve valleys'), [glacier]);
    assert.equal(await missingVectors(server), 1);
    await server.stop();

    embeddings.up = true;
    const restarted = await start(server.dataDir);
    await pollUntil(async () => (await missingVectors(restarted.server)) === 0, {
      what: 'the vectors missing before the restart',
      timeoutMs: 30_000,
    });
    const nearest = await resultFileIds(restarted.client, storeId, VECTOR_ONLY_QUERY);
    assert.ok(nearest.includes(glacier), `the glacier chunk has its vector now: ${JSON.stringify(nearest)}`);
    assert.equal(providerLogs(restarted.server, 'unreachable').length, 0);
    assert.equal(providerLogs(restarted.server, 'reachable').length, 1);
  });
});
