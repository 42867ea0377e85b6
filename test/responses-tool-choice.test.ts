import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/** What a response's `tool_choice` makes of the tools the model is offered, as the upstream receives them. */
let fixture: RunFixture;
const model = 'gpt-4o-mini';
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};
const time = {
  type: 'function' as const,
  name: 'get_time',
  parameters: { type: 'object', properties: {} },
  strict: false,
};

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

function lastUpstreamBody(): { tools?: Array<{ function: { name: string } }>; tool_choice?: unknown } {
  return fixture.upstream.requests.filter((request) => request.path === '/v1/chat/completions').at(-1)!.body as never;
}

test('allowed_tools offers only the tools it lists, with its mode', async () => {
  const store = await fixture.client.vectorStores.create({ name: 'empty' });
  fixture.upstream.script({ text: ['Fine.'] });
  const response = await fixture.client.responses.create({
    model,
    input: 'Weather?',
    tools: [weather, time, { type: 'file_search', vector_store_ids: [store.id] }],
    tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_weather' }] },
  });
  assert.equal(response.status, 'completed');
  const body = lastUpstreamBody();
  assert.deepEqual(
    body.tools?.map((tool) => tool.function.name),
    ['get_weather'],
  );
  assert.equal(body.tool_choice, 'required');
});

test('naming a built-in tool makes the model call that tool', async () => {
  const store = await fixture.client.vectorStores.create({ name: 'empty' });
  fixture.upstream.script({ text: ['Nothing found.'] });
  await fixture.client.responses.create({
    model,
    input: 'Search.',
    tools: [weather, { type: 'file_search', vector_store_ids: [store.id] }],
    tool_choice: { type: 'file_search' },
  });
  assert.deepEqual(lastUpstreamBody().tool_choice, { type: 'function', function: { name: 'file_search' } });

  fixture.upstream.script({ text: ['Nothing run.'] });
  await fixture.client.responses.create({
    model,
    input: 'Run.',
    tools: [weather, { type: 'code_interpreter', container: { type: 'auto' } }],
    tool_choice: { type: 'code_interpreter' },
  });
  assert.deepEqual(lastUpstreamBody().tool_choice, { type: 'function', function: { name: 'code_interpreter' } });
});
