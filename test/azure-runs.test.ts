import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { AZURE_API_VERSION, azureFixture } from './helpers/azure-client.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assertValidStreamEvent,
  assistantAndThread,
  chatRequests,
  createAssistant,
  messageText,
  parseSse,
  threadAndRunStream,
  weatherTool,
} from './helpers/run-helpers.js';
import { ANSWER, OPENING, RESUMING, SDK_ANSWER, SDK_FUNCTION_CALL, TOOL_STEP } from './helpers/stream-expectations.js';
import { recordStream, validatedEventNames } from './helpers/stream-recorder.js';

/*
 * An Azure OpenAI user's Assistants code, unchanged but for `new AzureOpenAI({ endpoint, apiKey, apiVersion })`:
 * assistants, threads and messages, polled and streamed runs with function calling, steps and stream resume.
 * Every JSON response is checked against the contract, every stream event too. `model` is a deployment name,
 * which MODELS_CONFIG maps to the upstream's model.
 */

const DEPLOYMENT = 'contoso-gpt-4o';
let base: RunFixture;
let fixture: RunFixture;
let client: OpenAI;
let configDir: string;

before(async () => {
  configDir = mkdtempSync(path.join(tmpdir(), 'azure-models-'));
  const modelsConfig = path.join(configDir, 'models.json');
  writeFileSync(modelsConfig, JSON.stringify({ models: [{ match: DEPLOYMENT, provider: 'openai', model: 'gpt-4o' }] }));
  base = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', MODELS_CONFIG: modelsConfig } });
  fixture = azureFixture(base);
  client = fixture.client;
});
after(async () => {
  await base.close();
  rmSync(configDir, { recursive: true, force: true });
});
beforeEach(() => fixture.upstream.reset());

describe('assistants, threads and messages through AzureOpenAI', () => {
  test('assistants: create, retrieve, update, list, delete', async () => {
    const assistant = await client.beta.assistants.create({
      model: DEPLOYMENT,
      name: 'Math tutor',
      instructions: 'You are terse.',
      tools: [{ type: 'code_interpreter' }, weatherTool],
      metadata: { team: 'blue' },
    });
    assert.match(assistant.id, /^asst_/);
    assert.equal(assistant.model, DEPLOYMENT);
    assert.equal((await client.beta.assistants.retrieve(assistant.id)).name, 'Math tutor');
    const updated = await client.beta.assistants.update(assistant.id, { name: 'Tutor', temperature: 0.2 });
    assert.deepEqual([updated.name, updated.temperature], ['Tutor', 0.2]);
    const listed = await client.beta.assistants.list({ order: 'desc', limit: 20 });
    assert.equal(listed.data[0]?.id, assistant.id);
    assert.deepEqual(await client.beta.assistants.delete(assistant.id), {
      id: assistant.id,
      object: 'assistant.deleted',
      deleted: true,
    });
  });

  test('threads and messages: create with messages, add, list by run, update, delete', async () => {
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'First question' }],
      metadata: { user: 'u-1' },
    });
    const added = await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: [{ type: 'text', text: 'Second question' }],
    });
    const page = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
    assert.deepEqual(page.data.map(messageText), ['First question', 'Second question']);
    const changed = await client.beta.threads.messages.update(added.id, {
      thread_id: thread.id,
      metadata: { seen: 'yes' },
    });
    assert.deepEqual(changed.metadata, { seen: 'yes' });
    assert.equal((await client.beta.threads.update(thread.id, { metadata: { user: 'u-2' } })).metadata?.user, 'u-2');
    assert.equal((await client.beta.threads.messages.delete(added.id, { thread_id: thread.id })).deleted, true);
    assert.equal((await client.beta.threads.delete(thread.id)).deleted, true);
  });
});

describe('runs through AzureOpenAI', () => {
  test('createAndPoll: the deployment name is what the client sees, the mapped model what the upstream gets', async () => {
    fixture.upstream.script({ text: 'Four.' });
    const { assistant, thread } = await assistantAndThread(fixture, { model: DEPLOYMENT }, 'Two plus two?');
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(run.status, 'completed');
    assert.equal(run.model, DEPLOYMENT);
    assert.equal(chatRequests(fixture)[0]?.body.model, 'gpt-4o');
    const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    assert.equal(answer && messageText(answer), 'Four.');
    const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    assert.deepEqual(
      steps.data.map((step) => step.type),
      ['message_creation'],
    );
    const runs = await client.beta.threads.runs.list(thread.id);
    assert.equal(runs.data[0]?.id, run.id);
  });

  test('a model no rule names goes upstream as it is', async () => {
    fixture.upstream.script({ text: 'Hi.' });
    const { assistant, thread } = await assistantAndThread(fixture, { model: 'gpt-4o-mini' });
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(run.status, 'completed');
    assert.equal(chatRequests(fixture)[0]?.body.model, 'gpt-4o-mini');
  });

  test('AssistantStream with a function call, then submitToolOutputsStream to completion', async () => {
    fixture.upstream.script(
      { toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { text: ['It is ', 'cold in Oslo.'] },
    );
    const assistant = await createAssistant(fixture, { model: DEPLOYMENT, tools: [weatherTool] });
    const first = threadAndRunStream(fixture, assistant.id, 'Weather in Oslo?');
    const firstRecording = recordStream(first);
    const waiting = await first.finalRun();
    assert.deepEqual(validatedEventNames(firstRecording), [...OPENING, ...TOOL_STEP, 'thread.run.requires_action']);
    assert.deepEqual(firstRecording.callbacks, [
      'connect',
      'runStepCreated:tool_calls',
      ...SDK_FUNCTION_CALL,
      'run:requires_action',
      'end',
    ]);
    const [call] = waiting.required_action!.submit_tool_outputs.tool_calls;
    assert.deepEqual([call?.id, call?.function.arguments], ['call_weather', '{"city":"Oslo"}']);

    const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
      thread_id: waiting.thread_id,
      tool_outputs: [{ tool_call_id: 'call_weather', output: '-5 C' }],
    });
    const secondRecording = recordStream(second);
    const finished = await second.finalRun();
    assert.equal(finished.status, 'completed');
    assert.deepEqual(validatedEventNames(secondRecording), [...RESUMING, ...ANSWER, 'thread.run.completed']);
    assert.deepEqual(secondRecording.callbacks, [
      'connect',
      'runStepDone:tool_calls:completed',
      ...SDK_ANSWER,
      'run:completed',
      'end',
    ]);
    assert.deepEqual((await second.finalMessages()).map(messageText), ['It is cold in Oslo.']);
  });

  test('createAndRunPoll and submitToolOutputsAndPoll', async () => {
    fixture.upstream.script(
      { toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Bern' } }] },
      { text: 'Mild in Bern.' },
    );
    const assistant = await createAssistant(fixture, { model: DEPLOYMENT, tools: [weatherTool] });
    const waiting = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Weather in Bern?' }] },
    });
    assert.equal(waiting.status, 'requires_action');
    const finished = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
      thread_id: waiting.thread_id,
      tool_outputs: [{ tool_call_id: 'call_1', output: '12 C' }],
    });
    assert.equal(finished.status, 'completed');
    const steps = await client.beta.threads.runs.steps.list(finished.id, {
      thread_id: finished.thread_id,
      order: 'asc',
    });
    const toolStep = steps.data[0]!;
    const fetched = await client.beta.threads.runs.steps.retrieve(toolStep.id, {
      thread_id: finished.thread_id,
      run_id: finished.id,
    });
    assert.equal(fetched.step_details.type, 'tool_calls');
  });

  test('a run can be cancelled and updated under /openai', async () => {
    fixture.upstream.script({ toolCalls: [{ id: 'call_c', name: 'get_weather', arguments: { city: 'Rome' } }] });
    const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
    const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(waiting.status, 'requires_action');
    const updated = await client.beta.threads.runs.update(waiting.id, { thread_id: thread.id, metadata: { k: 'v' } });
    assert.deepEqual(updated.metadata, { k: 'v' });
    const cancelled = await client.beta.threads.runs.cancel(waiting.id, { thread_id: thread.id });
    assert.ok(['cancelling', 'cancelled'].includes(cancelled.status), cancelled.status);
  });

  test("a run's stream resumes under /openai from the last event id, with api-key and api-version", async () => {
    fixture.upstream.script({ text: 'Resumable answer.' });
    const { assistant, thread } = await assistantAndThread(fixture);
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    const url = `${fixture.server.url}/openai/threads/${thread.id}/runs/${run.id}/events?api-version=${AZURE_API_VERSION}`;
    const all = parseSse(await (await fetch(url, { headers: { 'api-key': 'test-key' } })).text());
    assert.equal(all.at(-1)?.event, 'done');
    const cut = all.findIndex((event) => event.event === 'thread.message.created');
    const response = await fetch(url, { headers: { 'api-key': 'test-key', 'last-event-id': all[cut]!.id! } });
    assert.equal(response.status, 200);
    const resumed = parseSse(await response.text());
    assert.deepEqual(
      resumed.map((event) => event.id),
      all.slice(cut + 1).map((event) => event.id),
    );
    for (const event of resumed.filter((entry) => entry.event !== 'done')) assertValidStreamEvent(event);
  });

  test('a client given a deployment calls the same Assistants paths: they are not deployment-scoped', async () => {
    const deployed = azureFixture(base, { deployment: DEPLOYMENT });
    fixture.upstream.script({ text: 'Deployed.' });
    const assistant = await deployed.client.beta.assistants.create({ model: DEPLOYMENT });
    const run = await deployed.client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hello' }] },
    });
    assert.equal(run.status, 'completed');
  });
});
