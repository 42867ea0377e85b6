import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let client: OpenAI;

before(async () => {
  server = await startTestServer();
  client = sdkClient(server);
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

describe('assistants', () => {
  test('create returns the assistant with OpenAI defaults filled in', async () => {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: 'Math tutor' });
    assert.match(assistant.id, /^asst_[A-Za-z0-9]{24}$/);
    assert.equal(assistant.object, 'assistant');
    assert.equal(assistant.name, 'Math tutor');
    assert.equal(assistant.description, null);
    assert.equal(assistant.instructions, null);
    assert.deepEqual(assistant.tools, []);
    assert.deepEqual(assistant.metadata, {});
    assert.equal(assistant.temperature, 1);
    assert.equal(assistant.top_p, 1);
    assert.equal(assistant.response_format, 'auto');
    assert.ok(Math.abs(assistant.created_at - Date.now() / 1000) < 60, 'created_at is unix seconds');
  });

  test('create keeps every field it was given', async () => {
    const request = {
      model: 'gpt-4o-mini',
      name: 'Full',
      description: 'All the fields',
      instructions: 'Be brief.',
      tools: [
        { type: 'code_interpreter' as const },
        {
          type: 'file_search' as const,
          file_search: { max_num_results: 5, ranking_options: { ranker: 'auto' as const, score_threshold: 0.5 } },
        },
        {
          type: 'function' as const,
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        },
      ],
      metadata: { team: 'blue' },
      temperature: 0.2,
      top_p: 0.9,
      response_format: { type: 'json_object' as const },
    };
    const assistant = await client.beta.assistants.create(request);
    for (const [key, value] of Object.entries(request)) {
      assert.deepEqual((assistant as unknown as Record<string, unknown>)[key], value, key);
    }
    assert.deepEqual(await client.beta.assistants.retrieve(assistant.id), assistant);
  });

  test('modify changes only what it names and replaces metadata', async () => {
    const created = await client.beta.assistants.create({
      model: 'gpt-4o',
      name: 'Before',
      instructions: 'Keep me',
      metadata: { a: '1' },
    });
    const modified = await client.beta.assistants.update(created.id, { name: 'After', metadata: { b: '2' } });
    assert.equal(modified.name, 'After');
    assert.equal(modified.instructions, 'Keep me');
    assert.deepEqual(modified.metadata, { b: '2' });
    assert.equal(modified.created_at, created.created_at);
    const cleared = await client.beta.assistants.update(created.id, { name: null, instructions: null });
    assert.equal(cleared.name, null);
    assert.equal(cleared.instructions, null);
    assert.deepEqual(await client.beta.assistants.retrieve(created.id), cleared);
  });

  test('delete answers with OpenAI’s delete object, then the assistant is gone', async () => {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    assert.deepEqual(await client.beta.assistants.delete(assistant.id), {
      id: assistant.id,
      object: 'assistant.deleted',
      deleted: true,
    });
    await assert.rejects(client.beta.assistants.retrieve(assistant.id), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.message, `404 No assistant found with id '${assistant.id}'.`);
      return true;
    });
    await assert.rejects(client.beta.assistants.delete(assistant.id), OpenAI.NotFoundError);
    await assert.rejects(client.beta.assistants.update(assistant.id, { name: 'x' }), OpenAI.NotFoundError);
  });

  test('code_interpreter files must exist in the project', async () => {
    await assert.rejects(
      client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
        tool_resources: { code_interpreter: { file_ids: ['file-doesnotexist'] } },
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal(error.param, 'tool_resources.code_interpreter.file_ids');
        return true;
      },
    );
    const file = await client.files.create({
      file: await OpenAI.toFile(Buffer.from('a,b\n1,2\n'), 'data.csv'),
      purpose: 'assistants',
    });
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
      tool_resources: { code_interpreter: { file_ids: [file.id] } },
    });
    assert.deepEqual(assistant.tool_resources, { code_interpreter: { file_ids: [file.id] } });
  });
});

describe('assistant validation', () => {
  const invalid: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['model is required', {}, 'model', /Missing required parameter: 'model'/],
    [
      'name over 256 characters',
      { name: 'n'.repeat(257) },
      'name',
      /string too long.*maximum length 256, but got a string with length 257/,
    ],
    ['description over 512 characters', { description: 'd'.repeat(513) }, 'description', /maximum length 512/],
    [
      'instructions over 256,000 characters',
      { instructions: 'i'.repeat(256_001) },
      'instructions',
      /maximum length 256000/,
    ],
    [
      'more than 128 tools',
      { tools: Array.from({ length: 129 }, () => ({ type: 'code_interpreter' })) },
      'tools',
      /array too long.*maximum length 128/,
    ],
    [
      'a function description over 1,024 characters',
      { tools: [{ type: 'function', function: { name: 'f', description: 'x'.repeat(1025) } }] },
      'tools[0].function.description',
      /maximum length 1024/,
    ],
    [
      'a function name with spaces',
      { tools: [{ type: 'function', function: { name: 'get weather' } }] },
      'tools[0].function.name',
      /pattern/,
    ],
    [
      'an unknown tool type',
      { tools: [{ type: 'browser' }] },
      'tools[0].type',
      /Invalid value: 'browser'. Supported values are: 'code_interpreter', 'file_search', and 'function'/,
    ],
    [
      '17 metadata pairs',
      { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
      /too many properties.*at most 16 properties, but got an object with 17/,
    ],
    [
      'a metadata key over 64 characters',
      { metadata: { ['k'.repeat(65)]: 'v' } },
      'metadata',
      /key '.*' is too long.*maximum length 64/,
    ],
    ['a metadata value over 512 characters', { metadata: { k: 'v'.repeat(513) } }, 'metadata.k', /maximum length 512/],
    [
      'a metadata value that is not a string',
      { metadata: { k: 1 } },
      'metadata.k',
      /Invalid type for 'metadata.k': expected a string, but got an integer/,
    ],
    [
      'temperature above 2',
      { temperature: 2.5 },
      'temperature',
      /above maximum value. Expected a value <= 2, but got 2.5/,
    ],
    ['top_p below 0', { top_p: -0.1 }, 'top_p', /below minimum value/],
    [
      'a name that is not a string',
      { name: 42 },
      'name',
      /Invalid type for 'name': expected a string or null, but got an integer instead/,
    ],
    ['an unknown parameter', { colour: 'blue' }, 'colour', /Unknown parameter: 'colour'/],
    [
      'two vector stores',
      { tool_resources: { file_search: { vector_store_ids: ['vs_a', 'vs_b'] } } },
      'tool_resources.file_search.vector_store_ids',
      /maximum length 1/,
    ],
    [
      'more than 20 code interpreter files',
      { tool_resources: { code_interpreter: { file_ids: Array.from({ length: 21 }, (_, i) => `file-${i}`) } } },
      'tool_resources.code_interpreter.file_ids',
      /maximum length 20/,
    ],
    [
      'a json_schema response format without its schema',
      { response_format: { type: 'json_schema' } },
      'response_format.json_schema',
      /Missing required parameter/,
    ],
  ];
  for (const [name, overrides, param, message] of invalid) {
    test(`rejects ${name} with a 400 naming '${param}'`, async () => {
      const body = { model: 'gpt-4o', ...overrides };
      if (name === 'model is required') delete (body as Record<string, unknown>).model;
      await assert.rejects(client.beta.assistants.create(body as never), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, param);
        assert.equal(error.type, 'invalid_request_error');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('limits that are exactly at the bound are accepted', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      name: 'n'.repeat(256),
      description: 'd'.repeat(512),
      metadata: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(64, 'k'), 'v'.repeat(512)])),
      tools: Array.from({ length: 128 }, (_, i) => ({
        type: 'function' as const,
        function: { name: `f${i}`, description: 'x'.repeat(1024) },
      })),
    });
    assert.equal(assistant.tools.length, 128);
  });
});
