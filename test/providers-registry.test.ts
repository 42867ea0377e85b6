import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createProviderRegistry, ModelsConfigError, type ProviderRegistrySettings } from '../src/providers/index.js';
import { collectParts, type ScriptedUpstream, startScriptedUpstream, textOf } from './upstream/index.js';

describe('provider registry', () => {
  let upstream: ScriptedUpstream;
  let folder: string;
  let fileNumber = 0;
  before(async () => {
    upstream = await startScriptedUpstream();
    folder = mkdtempSync(path.join(tmpdir(), 'models-config-'));
  });
  beforeEach(() => upstream.reset());
  after(async () => {
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function writeConfig(content: unknown): string {
    fileNumber += 1;
    const file = path.join(folder, `models-${fileNumber}.json`);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  function settings(overrides: Partial<ProviderRegistrySettings>): ProviderRegistrySettings {
    return { openaiBaseURL: upstream.baseURL, openaiApiKey: 'sk-openai', env: {}, ...overrides };
  }

  const exampleConfig = () => ({
    providers: {
      local: { type: 'openai-compatible', baseURL: upstream.baseURL, apiKeyEnv: 'OLLAMA_KEY' },
      claude: { type: 'anthropic', baseURL: upstream.baseURL, apiKeyEnv: 'ANTHROPIC_API_KEY' },
      gemini: { type: 'google', baseURL: upstream.baseURL, apiKey: 'literal-google-key' },
    },
    models: [
      { match: 'claude-*', provider: 'claude' },
      { match: 'llama3*', provider: 'local', model: 'llama3.1:8b' },
      { match: 'gemini-*', provider: 'gemini' },
    ],
    default: 'local',
  });
  const exampleEnv = { OLLAMA_KEY: 'ollama-secret', ANTHROPIC_API_KEY: 'sk-ant' };

  test('routes models to providers by pattern, renames models and falls back to the default', async () => {
    const registry = createProviderRegistry(
      settings({ modelsConfigPath: writeConfig(exampleConfig()), env: exampleEnv }),
    );
    const cases: Array<[string, string, string, string, string | undefined]> = [
      // requested model, provider, upstream model, path, credential header
      ['claude-3-5-haiku-latest', 'claude', 'claude-3-5-haiku-latest', '/v1/messages', 'sk-ant'],
      ['llama3.2', 'local', 'llama3.1:8b', '/v1/chat/completions', 'Bearer ollama-secret'],
      [
        'GEMINI-2.0-flash',
        'gemini',
        'GEMINI-2.0-flash',
        '/v1/models/GEMINI-2.0-flash:streamGenerateContent',
        'literal-google-key',
      ],
      ['qwen2.5', 'local', 'qwen2.5', '/v1/chat/completions', 'Bearer ollama-secret'],
    ];
    for (const [requested, provider, upstreamModel, wirePath, credential] of cases) {
      upstream.reset();
      upstream.script({ text: `hi from ${provider}` });
      const model = registry.chatModel(requested);
      assert.equal(model.provider, provider, requested);
      assert.equal(model.modelId, upstreamModel, requested);
      const parts = await collectParts(
        model.stream({ messages: [{ role: 'user', content: 'hi' }] }, new AbortController().signal),
      );
      assert.equal(textOf(parts), `hi from ${provider}`);
      const request = upstream.requests[0];
      assert.equal(request?.path, wirePath, requested);
      const header =
        request?.headers.authorization ?? request?.headers['x-api-key'] ?? request?.headers['x-goog-api-key'];
      assert.equal(header, credential, requested);
    }
    assert.equal(registry.chatModel('llama3.2'), registry.chatModel('llama3.2'), 'models are built once');
  });

  test('without a config file every model goes to OPENAI_BASE_URL with OPENAI_API_KEY', async () => {
    const registry = createProviderRegistry(settings({}));
    upstream.script({ text: 'ok' });
    const model = registry.chatModel('claude-3-opus');
    assert.equal(model.provider, 'openai');
    await collectParts(model.stream({ messages: [{ role: 'user', content: 'hi' }] }, new AbortController().signal));
    assert.equal(upstream.requests[0]?.path, '/v1/chat/completions');
    assert.equal(upstream.requests[0]?.headers.authorization, 'Bearer sk-openai');
    assert.equal(upstream.requests[0]?.body.model, 'claude-3-opus');
  });

  test('embeddings come from the config file, the built-in settings, or are off', async () => {
    const fromFile = createProviderRegistry(
      settings({
        modelsConfigPath: writeConfig({
          ...exampleConfig(),
          embeddings: { provider: 'local', model: 'nomic-embed-text', dimensions: 32 },
        }),
        env: exampleEnv,
      }),
    );
    const embedding = fromFile.embeddingModel();
    assert.equal(embedding?.modelId, 'nomic-embed-text');
    const [vector] = (await embedding?.embed(['hello'])) ?? [];
    assert.equal(vector?.length, 32);
    assert.equal(upstream.requests[0]?.headers.authorization, 'Bearer ollama-secret');

    const builtIn = createProviderRegistry(
      settings({ embeddingModel: 'text-embedding-3-small', embeddingDimensions: 16 }),
    );
    assert.equal(builtIn.embeddingModel()?.dimensions, 16);
    assert.equal(createProviderRegistry(settings({})).embeddingModel(), undefined);
    const off = createProviderRegistry(
      settings({ modelsConfigPath: writeConfig({ embeddings: null }), embeddingModel: 'text-embedding-3-small' }),
    );
    assert.equal(off.embeddingModel(), undefined);
  });

  const invalidConfigs: Array<[string, unknown, RegExp]> = [
    ['a file that is not JSON', '{"providers": ', /not valid JSON/],
    ['a top level that is not an object', '[1, 2]', /the top level must be an object/],
    ['an unknown top-level field', { providers: {}, modles: [] }, /unknown field 'modles'/],
    [
      'an unknown provider type',
      { providers: { x: { type: 'cohere' } } },
      /providers\.x\.type must be one of openai-compatible, anthropic, google/,
    ],
    [
      'an openai-compatible provider without baseURL',
      { providers: { x: { type: 'openai-compatible' } } },
      /providers\.x\.baseURL is required/,
    ],
    [
      'a baseURL that is not a URL',
      { providers: { x: { type: 'openai-compatible', baseURL: 'localhost' } } },
      /providers\.x\.baseURL is not a URL/,
    ],
    [
      'a route to an undefined provider',
      { models: [{ match: 'gpt-*', provider: 'nowhere' }] },
      /models\[0\]\.provider names provider 'nowhere'/,
    ],
    [
      'a route without a pattern',
      { models: [{ provider: 'openai' }] },
      /models\[0\]\.match must be a non-empty string/,
    ],
    ['models that are not an array', { models: { match: 'x' } }, /models must be an array/],
    ['an undefined default', { default: 'ghost' }, /default names provider 'ghost'/],
    [
      'embeddings with a bad size',
      { embeddings: { provider: 'openai', model: 'e', dimensions: 0 } },
      /embeddings\.dimensions must be an integer/,
    ],
    [
      'embeddings on an Anthropic provider',
      {
        providers: { c: { type: 'anthropic', apiKey: 'k' } },
        embeddings: { provider: 'c', model: 'e', dimensions: 8 },
      },
      /embeddings\.provider must be an openai-compatible provider/,
    ],
    [
      'an apiKeyEnv that is not set',
      { providers: { c: { type: 'anthropic', apiKeyEnv: 'NOT_SET_ANYWHERE' } } },
      /environment variable NOT_SET_ANYWHERE is not set/,
    ],
    [
      'an Anthropic provider without any key',
      { providers: { c: { type: 'anthropic' } } },
      /providers\.c \(anthropic\) needs apiKey or apiKeyEnv/,
    ],
  ];
  for (const [description, content, message] of invalidConfigs) {
    test(`rejects ${description} with a clear error naming the file`, () => {
      const file = writeConfig(content);
      assert.throws(
        () => createProviderRegistry(settings({ modelsConfigPath: file })),
        (error: unknown) => {
          assert.ok(error instanceof ModelsConfigError);
          assert.match(error.message, message);
          assert.ok(error.message.includes(file), error.message);
          return true;
        },
      );
    });
  }

  test('rejects a config file that does not exist', () => {
    const missing = path.join(folder, 'missing.json');
    assert.throws(() => createProviderRegistry(settings({ modelsConfigPath: missing })), {
      name: 'ModelsConfigError',
      message: new RegExp(`${missing.replace(/[.]/g, '\\.')}: cannot read the file`),
    });
  });
});
