import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { checkResponse, contract, validateAgainst } from './helpers/contract-fetch.js';
import { CaseBuilder, contractOperations, type FuzzCase, type FuzzOperation } from './helpers/fuzz-cases.js';
import { keepAliveAgent, type RawResponse, rawRequest } from './helpers/raw-http.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { SeededRandom } from './helpers/seeded-random.js';

/**
 * Every operation of the contract, sent what clients and attackers send: wrong types at every position of every
 * body, missing fields, 1 MB and hostile strings, 10,000-item arrays, bad ids, bad query values, junk bodies.
 * Whatever the server answers must be a 2xx that conforms to the contract or a 4xx in OpenAI's error shape, and it
 * must still be healthy afterwards. Deterministic for a seed (`FUZZ_SEED` replays another).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_826);

let fixture: RunFixture;
let operations: FuzzOperation[];
let cases: FuzzCase[];

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  fixture.upstream.respond({ text: 'ok' });
  const ids = await createObjects(fixture.client);
  operations = contractOperations(contract.document);
  const builder = new CaseBuilder({
    document: contract.document,
    random: new SeededRandom(SEED),
    ids,
    overrides: {
      model: 'gpt-4o',
      assistant_id: ids.assistant_id,
      file_id: ids.file_id,
      file_ids: [ids.file_id],
      vector_store_ids: [ids.vector_store_id],
      tool_call_id: 'call_fuzz',
      bytes: 5,
      filename: 'fuzz.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    },
  });
  cases = [
    ...operations.flatMap((operation) => builder.cases(operation)),
    ...builder.methodCases([...new Set(operations.map((operation) => operation.template))]),
  ];
});

after(async () => {
  await fixture.close();
});

/** One real object per path parameter, so a case that breaks one part of a request leaves the rest valid. */
async function createObjects(client: OpenAI): Promise<Record<string, string>> {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hello' }] });
  const message = (await client.beta.threads.messages.list(thread.id)).data[0]!;
  const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  const step = (await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data[0]!;
  const file = await client.files.create({
    file: await OpenAI.toFile(Buffer.from('fuzz text'), 'fuzz.txt'),
    purpose: 'assistants',
  });
  const store = await client.vectorStores.create({ name: 'fuzz', file_ids: [file.id] });
  const batch = await client.vectorStores.fileBatches.create(store.id, { file_ids: [file.id] });
  const upload = await client.uploads.create({
    bytes: 5,
    filename: 'u.txt',
    mime_type: 'text/plain',
    purpose: 'assistants',
  });
  return {
    assistant_id: assistant.id,
    thread_id: thread.id,
    message_id: message.id,
    run_id: run.id,
    step_id: step.id,
    file_id: file.id,
    vector_store_id: store.id,
    batch_id: batch.id,
    upload_id: upload.id,
  };
}

/** What is wrong with one answer: a 5xx, an error not in OpenAI's shape, or a success that breaks the contract. */
function problemsOf(fuzzCase: FuzzCase, response: RawResponse): string[] {
  const { status, json } = response;
  if (status >= 500 || status < 200 || (status >= 300 && status < 400))
    return [`status ${status}: ${response.body.toString('utf8').slice(0, 300)}`];
  if (status >= 400) {
    if (json === undefined)
      return [`${status} is not JSON (${response.contentType}): ${response.body.toString('utf8').slice(0, 200)}`];
    const problems = validateAgainst('ErrorResponse', json);
    const body = json as { error?: Record<string, unknown> };
    if (Object.keys(body).join() !== 'error') problems.push(`top-level keys ${Object.keys(body).join()}`);
    const keys = Object.keys(body.error ?? {})
      .sort()
      .join();
    if (keys !== 'code,message,param,type') problems.push(`error keys ${keys}`);
    if (typeof body.error?.message !== 'string' || body.error.message === '') problems.push('empty message');
    return problems;
  }
  if (!response.contentType.includes('application/json')) return [];
  const pathname = fuzzCase.request.path.split('?')[0]!;
  return checkResponse(fuzzCase.request.method, pathname, status, json);
}

interface Outcome {
  requests: number;
  byStatus: Map<number, number>;
  failures: string[];
  slowest: { ms: number; label: string };
}

async function runCases(selected: readonly FuzzCase[]): Promise<Outcome> {
  const agent = keepAliveAgent();
  const outcome: Outcome = { requests: 0, byStatus: new Map(), failures: [], slowest: { ms: 0, label: '' } };
  for (const fuzzCase of selected) {
    const label = `${fuzzCase.operationId} [${fuzzCase.kind}] ${fuzzCase.label}`;
    const started = performance.now();
    let response: RawResponse;
    try {
      response = await rawRequest(fixture.server.url, fuzzCase.request, agent);
    } catch (error) {
      outcome.failures.push(`${label}: no response (${String(error)})`);
      continue;
    }
    const ms = performance.now() - started;
    if (ms > outcome.slowest.ms) outcome.slowest = { ms, label };
    outcome.requests += 1;
    outcome.byStatus.set(response.status, (outcome.byStatus.get(response.status) ?? 0) + 1);
    const problems = problemsOf(fuzzCase, response);
    if (problems.length > 0) outcome.failures.push(`${label}: ${problems.join('; ')}`);
  }
  agent.destroy();
  return outcome;
}

describe(`schema-driven fuzzing of every operation (seed ${SEED})`, () => {
  test('covers all 50 operations of the contract (48 of Assistants v2, 2 of models)', () => {
    assert.equal(operations.length, 50);
    const covered = new Set(cases.map((fuzzCase) => fuzzCase.operationId));
    assert.deepEqual(
      operations.filter((operation) => !covered.has(operation.operationId)).map((operation) => operation.operationId),
      [],
    );
  });

  test('no 5xx, every 4xx in OpenAI’s shape, every success as the contract says', async (t) => {
    const started = performance.now();
    const outcome = await runCases(cases);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const kinds = new Map<string, number>();
    for (const fuzzCase of cases) kinds.set(fuzzCase.kind, (kinds.get(fuzzCase.kind) ?? 0) + 1);
    t.diagnostic(`${outcome.requests} requests over ${operations.length} operations in ${seconds} s`);
    t.diagnostic(`cases: ${[...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
    t.diagnostic(
      `statuses: ${[...outcome.byStatus]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}×${count}`)
        .join(', ')}`,
    );
    t.diagnostic(`slowest: ${outcome.slowest.ms.toFixed(0)} ms for ${outcome.slowest.label.slice(0, 120)}`);
    // Server errors first: they matter most and would otherwise hide behind a page of shape problems.
    const failures = [...outcome.failures].sort((a, b) => Number(/: status 5/.test(b)) - Number(/: status 5/.test(a)));
    assert.deepEqual(
      failures.slice(0, 40),
      [],
      `${failures.length} of ${outcome.requests} requests got a wrong answer`,
    );
  });

  test('the server still answers afterwards', async () => {
    const health = await fetch(`${fixture.server.url}/health`);
    assert.equal(health.status, 200);
    const assistant = await fixture.client.beta.assistants.create({ model: 'gpt-4o', name: 'after the fuzz' });
    assert.equal(assistant.name, 'after the fuzz');
  });
});
