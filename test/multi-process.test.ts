import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { AssistantStream } from 'openai/lib/AssistantStream';
import { Stream } from 'openai/streaming';
import pg from 'pg';
import { sdkClient } from './helpers/client.js';
import { pollUntil } from './helpers/poll.js';
import { assertValidStreamEvent, messageText } from './helpers/run-helpers.js';
import { databaseUrlFor, testBackend } from './helpers/test-backend.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { ControlledResponse, type ScriptedUpstream, startScriptedUpstream } from './upstream/index.js';

/**
 * A deployment of several processes on one PostgreSQL database: two API processes (`serve`) and two workers
 * (`worker`), all real, all on the database and bucket of one data directory (test-backend.ts). Only the
 * PostgreSQL pass of scripts/run-tests.mjs runs this file; the SQLite store has one process by design.
 */
if (testBackend() === 'postgres') {
  describe('several API and worker processes on one PostgreSQL database', () => {
    let upstream: ScriptedUpstream;
    let dataDir: string;
    let api1: TestServer;
    let api2: TestServer;
    let workers: TestServer[] = [];
    let client1: OpenAI;
    let client2: OpenAI;
    let db: pg.Client;

    /** Short leases, so a killed worker's work is taken over within seconds. */
    const env = () => ({
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'upstream-key',
      EMBEDDING_MODEL: 'none',
      UPSTREAM_MAX_RETRIES: '0',
      RUN_LEASE_MS: '2000',
      RUN_SWEEP_INTERVAL_MS: '300',
      INGESTION_LEASE_MS: '2000',
      INGESTION_SWEEP_INTERVAL_MS: '300',
    });
    const startWorker = () => startTestServer({ dataDir, command: 'worker', env: env() });

    before(async () => {
      upstream = await startScriptedUpstream();
      api1 = await startTestServer({ command: 'serve', env: env() });
      dataDir = api1.dataDir;
      api2 = await startTestServer({ dataDir, command: 'serve', env: env() });
      workers = [await startWorker(), await startWorker()];
      client1 = sdkClient(api1);
      client2 = sdkClient(api2);
      db = new pg.Client({ connectionString: databaseUrlFor(dataDir) });
      await db.connect();
    });
    after(async () => {
      await db?.end();
      for (const server of [api1, api2, ...workers]) await server?.stop();
      await upstream?.close();
      if (api1) removeDataDir(api1);
    });
    beforeEach(() => upstream.reset());

    /** The worker process whose run (or ingestion) worker holds `owner`'s leases, from its start-up log line. */
    function workerOwning(owner: string): TestServer {
      const found = workers.find((worker) =>
        worker.logs.some((entry) => entry.runWorker === owner || entry.ingestionWorker === owner),
      );
      assert.ok(found, `no live worker process has the lease owner ${owner}`);
      return found;
    }

    async function leaseOwner(sql: string, id: string): Promise<string> {
      let owner: string | undefined;
      await pollUntil(
        async () => {
          owner = (await db.query<{ lease_owner: string | null }>(sql, [id])).rows[0]?.lease_owner ?? undefined;
          return owner !== undefined;
        },
        { what: `a worker to claim ${id}`, timeoutMs: 15_000 },
      );
      return owner!;
    }

    /** Follows a run's stream through `server`'s resume endpoint with the SDK's own AssistantStream. */
    async function followRun(server: TestServer, threadId: string, runId: string) {
      const controller = new AbortController();
      const response = await fetch(`${server.baseURL}/threads/${threadId}/runs/${runId}/events`, {
        headers: { authorization: 'Bearer test-key' },
        signal: controller.signal,
      });
      assert.equal(response.status, 200);
      const stream = AssistantStream.fromReadableStream(
        Stream.fromSSEResponse<OpenAI.Beta.AssistantStreamEvent>(response, controller).toReadableStream(),
      );
      const events: OpenAI.Beta.AssistantStreamEvent[] = [];
      stream.on('event', (event) => events.push(structuredClone(event)));
      return { stream, events };
    }

    async function assistantAndThread(text: string) {
      const assistant = await client1.beta.assistants.create({ model: 'gpt-4o-mini' });
      const thread = await client1.beta.threads.create({ messages: [{ role: 'user', content: text }] });
      return { assistant, thread };
    }

    test('a run created through one API process streams from the other, which cancels it while a worker executes it', async () => {
      const upstreamStream = new ControlledResponse();
      upstream.script({ controlled: upstreamStream });
      const { assistant, thread } = await assistantAndThread('Tell me a story');
      const run = await client1.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
      await upstreamStream.connected;

      const followed = await followRun(api2, thread.id, run.id);
      const firstWords = new Promise<void>((resolve) =>
        followed.stream.on('textDelta', (_delta, snapshot) => snapshot.value === 'Once upon' && resolve()),
      );
      upstreamStream.text('Once upon');
      await firstWords;

      const cancelling = await client2.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
      assert.equal(cancelling.status, 'cancelling');
      const finalRun = await followed.stream.finalRun();
      assert.equal(finalRun.status, 'cancelled');
      for (const event of followed.events) assertValidStreamEvent(event);
      assert.deepEqual(
        followed.events.filter((event) => /^thread\.run\.[a-z_]+$/.test(event.event)).map((event) => event.event),
        [
          'thread.run.created',
          'thread.run.queued',
          'thread.run.in_progress',
          'thread.run.cancelling',
          'thread.run.cancelled',
        ],
      );
      await pollUntil(() => upstream.requests[0]?.clientDisconnected === true, {
        what: 'the worker to abort its upstream call',
        timeoutMs: 10_000,
      });
      const stored = await client1.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
      assert.equal(stored.status, 'cancelled');
      const [message] = (await client2.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      assert.equal(messageText(message!), 'Once upon');
      assert.equal(message!.status, 'incomplete');
    });

    test('two runs created at once on one thread through different API processes: exactly one is accepted', async () => {
      for (let round = 0; round < 5; round++) {
        upstream.reset();
        upstream.script({ text: 'Done.' });
        const { assistant, thread } = await assistantAndThread(`Round ${round}`);
        const outcomes = await Promise.allSettled([
          client1.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }),
          client2.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }),
        ]);
        const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
        assert.equal(accepted.length, 1, `round ${round}: ${JSON.stringify(outcomes.map((o) => o.status))}`);
        const error = refused[0]!.reason as InstanceType<typeof OpenAI.APIError>;
        assert.equal(error.status, 400);
        assert.match(error.message, /already has an active run/);
        const run = accepted[0]!.value;
        const done = await client2.beta.threads.runs.poll(run.id, { thread_id: thread.id });
        assert.equal(done.status, 'completed');
        const runs = await client1.beta.threads.runs.list(thread.id);
        assert.deepEqual(
          runs.data.map((listed) => listed.id),
          [run.id],
        );
      }
    });

    test('a worker killed with -9 mid-run: another ends the run per the crash rules, nothing lost or doubled', async () => {
      const upstreamStream = new ControlledResponse();
      upstream.script({ controlled: upstreamStream });
      const { assistant, thread } = await assistantAndThread('Tell me a long story');
      const run = await client1.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
      await upstreamStream.connected;
      const followed = await followRun(api2, thread.id, run.id);
      const streamed = new Promise<void>((resolve) =>
        followed.stream.on('textDelta', (_delta, snapshot) => snapshot.value === 'Once upon a time' && resolve()),
      );
      upstreamStream.text('Once upon ');
      upstreamStream.text('a time');
      await streamed;

      const owner = await leaseOwner('SELECT lease_owner FROM runs WHERE id = $1', run.id);
      const victim = workerOwning(owner);
      await victim.kill();
      workers = workers.filter((worker) => worker !== victim);

      // The survivor finds the lease run out and ends the run as docs/runs.md says: failed, streamed text kept.
      const finalRun = await followed.stream.finalRun();
      assert.equal(finalRun.status, 'failed');
      assert.equal(finalRun.last_error?.code, 'server_error');
      for (const event of followed.events) assertValidStreamEvent(event);
      const ids = followed.events.map((event) => JSON.stringify(event));
      assert.equal(new Set(ids).size, ids.length, 'no event was delivered twice');
      const messages = await client1.beta.threads.messages.list(thread.id, { run_id: run.id });
      assert.equal(messages.data.length, 1, 'one assistant message, not a second one from a retry');
      assert.equal(messageText(messages.data[0]!), 'Once upon a time');
      assert.equal(messages.data[0]!.status, 'incomplete');

      workers.push(await startWorker());
    });

    test("a thread's runs go to the worker holding its Python session; when it dies the next call starts fresh and says so", async () => {
      const assistant = await client1.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
      });
      const thread = await client1.beta.threads.create({ messages: [{ role: 'user', content: 'Count.' }] });
      const code = (source: string) => ({ toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] });
      const runLogs = async (client: OpenAI, text: string) => {
        await client.beta.threads.messages.create(thread.id, { role: 'user', content: text });
        const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
        assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
        const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
        return steps.data
          .flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : []))
          .flatMap((call) => (call.type === 'code_interpreter' ? call.code_interpreter.outputs : []))
          .map((output) => (output.type === 'logs' ? output.logs : ''))
          .join('');
      };

      upstream.script(code('n = 1\nprint(n)'), { text: 'Started.' });
      assert.equal((await runLogs(client1, 'Start at one.')).trim(), '1');
      // Each later run finds the variable: it ran in the same live session, on the same worker, whichever API took it.
      for (let round = 2; round <= 4; round++) {
        upstream.script(code('n += 1\nprint(n)'), { text: 'Counted.' });
        assert.equal((await runLogs(round % 2 ? client1 : client2, 'Again.')).trim(), String(round));
      }

      const holder = await db.query<{ owner: string }>('SELECT owner FROM code_sessions WHERE thread_id = $1', [
        thread.id,
      ]);
      const victim = workerOwning(holder.rows[0]!.owner);
      await victim.kill();
      workers = workers.filter((worker) => worker !== victim);

      upstream.script(code('print(n)'), { text: 'Lost it.' });
      const logs = await runLogs(client2, 'And again.');
      assert.match(logs, /^\[This thread's Python session was lost when the worker holding it stopped/);
      assert.match(logs, /NameError: name 'n' is not defined/);

      workers.push(await startWorker());
    });

    test("a response's code runs on the worker holding its container's Python session, whichever API took it", async () => {
      const container = await client1.containers.create({ name: 'counter' });
      const code = (source: string) => ({ toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] });
      const respond = async (client: OpenAI) => {
        const response = await client.responses.create({
          model: 'gpt-4o',
          input: 'Count.',
          tools: [{ type: 'code_interpreter', container: container.id }],
          include: ['code_interpreter_call.outputs'],
        });
        assert.equal(response.status, 'completed', JSON.stringify(response.error));
        return response.output
          .flatMap((item) => (item.type === 'code_interpreter_call' ? (item.outputs ?? []) : []))
          .map((output) => (output.type === 'logs' ? output.logs : ''))
          .join('')
          .trim();
      };
      upstream.script(code('n = 1\nprint(n)'), { text: 'Started.' });
      assert.equal(await respond(client1), '1');
      for (let round = 2; round <= 4; round++) {
        upstream.script(code('n += 1\nprint(n)'), { text: 'Counted.' });
        assert.equal(await respond(round % 2 ? client1 : client2), String(round), `round ${round}`);
      }
      const holder = await db.query<{ owner: string }>('SELECT owner FROM code_sessions WHERE thread_id = $1', [
        container.id,
      ]);
      assert.equal(holder.rows.length, 1, "the container's session is recorded under its id");
    });

    test('a file whose ingestion worker is killed mid-file completes on the other worker', async () => {
      // About 24 MB of text: several seconds of extraction and chunking, long enough to kill its worker midway.
      const line = (index: number) => `Line ${index} of a long report about the migration of sea turtles.\n`;
      const lines: string[] = [];
      for (let index = 0; index < 360_000; index++) lines.push(line(index));
      lines.push('The final line names the codeword zanzibarquartz.\n');
      const file = await client1.files.create({
        file: new File([lines.join('')], 'report.txt', { type: 'text/plain' }),
        purpose: 'assistants',
      });
      const store = await client2.vectorStores.create({ name: 'reports', file_ids: [file.id] });

      const owner = await leaseOwner('SELECT lease_owner FROM vector_store_files WHERE id = $1', file.id);
      const victim = workerOwning(owner);
      await victim.kill();
      workers = workers.filter((worker) => worker !== victim);

      const done = await pollUntil(
        async () => {
          const stored = await client2.vectorStores.files.retrieve(file.id, { vector_store_id: store.id });
          return stored.status === 'in_progress' ? undefined : stored;
        },
        {
          what: () =>
            `the surviving worker to finish the file; its last log lines: ${JSON.stringify(workers[0]?.logs.slice(-8))}`,
          timeoutMs: 120_000,
        },
      );
      assert.equal(done.status, 'completed', JSON.stringify(done.last_error));
      const leftover = await db.query('SELECT lease_owner FROM vector_store_files WHERE id = $1', [file.id]);
      assert.notEqual(leftover.rows[0]?.lease_owner, owner, 'the dead worker no longer holds the file');
      const results = await client1.vectorStores.search(store.id, { query: 'zanzibarquartz' });
      assert.equal(results.data.length, 1);
      assert.match(JSON.stringify(results.data[0]!.content), /zanzibarquartz/);

      workers.push(await startWorker());
    });
  });
}
