import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sdkClient } from './helpers/client.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import {
  type GatedEmbeddings,
  startGatedEmbeddings,
  uploadFile,
  waitForStore,
} from './helpers/vector-store-helpers.js';
import { ControlledResponse } from './upstream/index.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of Prometheus's text format (comments skipped). */
function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1]!, pair[2]!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when there is none. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`, { headers });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

describe('GET /metrics', () => {
  let fixture: RunFixture;

  before(async () => {
    fixture = await startRunFixture({
      env: {
        API_KEYS: 'test-key=default,limited-key=limited',
        RATE_LIMITS: JSON.stringify({ projects: { limited: { get: 1 } } }),
        // One run at a time, so a held run keeps the next one queued.
        RUN_CONCURRENCY: '1',
      },
    });
  });
  after(() => fixture.close());

  test('after a run, an upload and a vector store file, it shows every named metric, without an API key', async () => {
    const { client, server, upstream } = fixture;
    upstream.script({ text: 'Hello back.' });
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hello' }] },
    });
    assert.equal(run.status, 'completed');
    const notes = await uploadFile(client, 'notes.txt', 'Glaciers carve valleys into U shapes.');
    const store = await client.vectorStores.create({ name: 'metrics' });
    const indexed = await uploadFile(client, 'indexed.txt', 'Moraines are the rocks a glacier leaves behind.');
    assert.equal(
      (await client.vectorStores.files.createAndPoll(store.id, { file_id: indexed.id })).status,
      'completed',
    );
    assert.equal((await fetch(`${server.baseURL}/no/such/route`)).status, 404);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    const limited = sdkClient(server, 'limited-key');
    await limited.beta.assistants.list();
    await assert.rejects(limited.beta.assistants.list(), { status: 429 });

    const samples = await scrape(server.url);
    const files = { method: 'POST', route: '/v1/files', status_code: '200' };
    assert.equal(sampleValue(samples, 'assistants_http_requests_total', files), 2);
    assert.equal(sampleValue(samples, 'assistants_http_request_duration_seconds_count', files), 2);
    assert.equal(sampleValue(samples, 'assistants_http_request_duration_seconds_bucket', { ...files, le: '+Inf' }), 2);
    assert.ok(sampleValue(samples, 'assistants_http_request_duration_seconds_sum', files)! > 0);
    // The run was polled by its route pattern; raw URLs (with ids) never become labels.
    const polled = { method: 'GET', route: '/v1/threads/:thread_id/runs/:run_id', status_code: '200' };
    assert.ok(sampleValue(samples, 'assistants_http_requests_total', polled)! >= 1);
    assert.equal(sampleValue(samples, 'assistants_http_requests_total', { route: 'unmatched', status_code: '404' }), 1);
    assert.equal(
      sampleValue(samples, 'assistants_http_requests_total', { route: '/v1/assistants', status_code: '429' }),
      1,
    );
    const routes = new Set(
      samples.filter((sample) => sample.name === 'assistants_http_requests_total').map((sample) => sample.labels.route),
    );
    for (const route of routes) {
      assert.ok(route === 'unmatched' || route!.startsWith('/v1/'), `route label ${route}`);
      assert.doesNotMatch(route!, /(thread|run|asst|msg|vs)_[A-Za-z0-9]{8,}|file-[A-Za-z0-9]{8,}/);
    }
    // Scrapes and health checks are left out.
    assert.ok(!routes.has('/metrics') && !routes.has('/health'));

    assert.equal(
      sampleValue(samples, 'assistants_rate_limit_rejections_total', { project: 'limited', class: 'get' }),
      1,
    );
    assert.equal(sampleValue(samples, 'assistants_runs', { status: 'completed' }), 1);
    for (const status of ['queued', 'in_progress', 'requires_action', 'cancelling', 'failed', 'cancelled', 'expired']) {
      assert.equal(sampleValue(samples, 'assistants_runs', { status }), 0, status);
    }
    assert.equal(sampleValue(samples, 'assistants_run_queue_depth'), 0);
    assert.equal(sampleValue(samples, 'assistants_ingestion_backlog'), 0);
    assert.equal(sampleValue(samples, 'assistants_code_interpreter_sessions'), 0);
    assert.equal(
      sampleValue(samples, 'assistants_project_storage_bytes', { project: 'default' }),
      notes.bytes + indexed.bytes,
    );
    assert.equal(sampleValue(samples, 'assistants_project_storage_bytes', { project: 'limited' }), undefined);
    // Node's own metrics, event-loop lag among them.
    assert.ok(sampleValue(samples, 'nodejs_eventloop_lag_seconds')! >= 0);
    assert.ok(sampleValue(samples, 'process_resident_memory_bytes')! > 0);
  });

  test('runs by status and the queue depth are read from the store', async () => {
    const { client, server, upstream } = fixture;
    const held = new ControlledResponse();
    upstream.script({ controlled: held }, { text: 'second' });
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const first = await client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'a' }] },
    });
    await held.connected;
    const second = await client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'b' }] },
    });

    const during = await scrape(server.url);
    assert.equal(sampleValue(during, 'assistants_runs', { status: 'in_progress' }), 1);
    assert.equal(sampleValue(during, 'assistants_runs', { status: 'queued' }), 1);
    assert.equal(sampleValue(during, 'assistants_run_queue_depth'), 1);

    held.text('first');
    held.finish();
    for (const run of [first, second]) {
      assert.equal((await client.beta.threads.runs.poll(run.id, { thread_id: run.thread_id })).status, 'completed');
    }
    const afterwards = await scrape(server.url);
    assert.equal(sampleValue(afterwards, 'assistants_run_queue_depth'), 0);
    assert.equal(sampleValue(afterwards, 'assistants_runs', { status: 'in_progress' }), 0);
  });

  test('a thread that ran code keeps a sandbox session, counted until the thread is deleted', async () => {
    const { client, server, upstream } = fixture;
    upstream.script({ toolCalls: [{ name: 'code_interpreter', arguments: { code: 'print(1)' } }] }, { text: 'done' });
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'run code' }] },
    });
    assert.equal(run.status, 'completed');
    assert.equal(sampleValue(await scrape(server.url), 'assistants_code_interpreter_sessions'), 1);
    await client.beta.threads.delete(run.thread_id);
    assert.equal(sampleValue(await scrape(server.url), 'assistants_code_interpreter_sessions'), 0);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let gate: GatedEmbeddings;
  let server: TestServer;

  before(async () => {
    // Embeddings held by the test keep a file in ingestion for as long as it needs.
    gate = await startGatedEmbeddings();
    server = await startTestServer({
      env: { METRICS_TOKEN: 'scrape-secret', OPENAI_BASE_URL: gate.baseURL, OPENAI_API_KEY: 'gate-key' },
    });
  });
  after(async () => {
    await server?.stop();
    await gate?.close();
    if (server) removeDataDir(server);
  });

  test('needs the bearer token, and no API key', async () => {
    const missing = await fetch(`${server.url}/metrics`);
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secreT' } });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'invalid_api_key');
    await scrape(server.url, { authorization: 'Bearer scrape-secret' });
  });

  test('the ingestion backlog counts files still being ingested', async () => {
    const client = sdkClient(server);
    const file = await uploadFile(client, 'slow.txt', 'Stalactites grow from the ceiling of limestone caves.');
    const store = await client.vectorStores.create({ file_ids: [file.id] });
    await gate.waitForRequests(1);
    const auth = { authorization: 'Bearer scrape-secret' };
    assert.equal(sampleValue(await scrape(server.url, auth), 'assistants_ingestion_backlog'), 1);
    gate.release();
    await waitForStore(client, store.id);
    assert.equal(sampleValue(await scrape(server.url, auth), 'assistants_ingestion_backlog'), 0);
  });
});
