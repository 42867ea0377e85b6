import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  contextWindowOf,
  createOpenAICompatibleEmbeddingModel,
  createTokenCounter,
  DEFAULT_CONTEXT_WINDOW,
  encodingForModel,
} from '../src/providers/index.js';
import { embedText, type ScriptedUpstream, startScriptedUpstream } from './upstream/index.js';

function cosine(left: number[], right: number[]): number {
  return left.reduce((sum, value, index) => sum + value * (right[index] as number), 0);
}

describe('OpenAI-compatible embeddings', () => {
  let upstream: ScriptedUpstream;
  before(async () => {
    upstream = await startScriptedUpstream();
  });
  beforeEach(() => upstream.reset());
  after(() => upstream.close());

  test('posts /embeddings with dimensions, in batches, and returns vectors in input order', async () => {
    const model = createOpenAICompatibleEmbeddingModel({
      baseURL: upstream.baseURL,
      apiKey: 'sk-embed',
      modelId: 'text-embedding-3-small',
      dimensions: 64,
      batchSize: 2,
    });
    const texts = ['cats purr softly', 'dogs bark loudly', 'a cat purrs', 'stock markets fell', 'cats purr'];
    const vectors = await model.embed(texts);
    assert.equal(vectors.length, 5);
    assert.ok(vectors.every((vector) => vector.length === 64));
    assert.deepEqual(
      vectors,
      texts.map((text) => embedText(text, 64)),
    );
    assert.deepEqual(
      upstream.requests.map((request) => request.body.input),
      [texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)],
    );
    for (const request of upstream.requests) {
      assert.equal(request.path, '/v1/embeddings');
      assert.equal(request.body.dimensions, 64);
      assert.equal(request.body.model, 'text-embedding-3-small');
      assert.equal(request.headers.authorization, 'Bearer sk-embed');
    }
    const [purrSoftly, , , markets, purr] = vectors as number[][];
    assert.ok(cosine(purrSoftly!, purr!) > cosine(purrSoftly!, markets!), 'shared words mean closer vectors');
  });

  test('an empty input makes no request', async () => {
    const model = createOpenAICompatibleEmbeddingModel({ baseURL: upstream.baseURL, modelId: 'e', dimensions: 8 });
    assert.deepEqual(await model.embed([]), []);
    assert.equal(upstream.requests.length, 0);
  });

  test('an upstream that ignores dimensions is reported as invalid_response', async () => {
    const model = createOpenAICompatibleEmbeddingModel({
      baseURL: upstream.baseURL,
      modelId: 'e',
      dimensions: 8,
      // Stands in for an upstream that always answers at its native size.
      fetch: (input, init) => {
        const body = JSON.parse(String(init?.body));
        return fetch(input, { ...init, body: JSON.stringify({ ...body, dimensions: 12 }) });
      },
    });
    await assert.rejects(model.embed(['x']), {
      name: 'ProviderError',
      code: 'invalid_response',
      message: /8 dimensions, got 12/,
    });
  });
});

describe('token counting', () => {
  test('counts text with o200k for current models and cl100k for GPT-3.5 and GPT-4', () => {
    assert.equal(encodingForModel('gpt-4o-mini'), 'o200k_base');
    assert.equal(encodingForModel('gpt-4.1'), 'o200k_base');
    assert.equal(encodingForModel('o3-mini'), 'o200k_base');
    assert.equal(encodingForModel('gpt-4-turbo'), 'cl100k_base');
    assert.equal(encodingForModel('gpt-3.5-turbo'), 'cl100k_base');
    assert.equal(createTokenCounter('gpt-4o').countText('hello world'), 2);
    assert.equal(createTokenCounter('gpt-4o').countText('こんにちは世界'), 2);
    assert.equal(createTokenCounter('gpt-3.5-turbo').countText('こんにちは世界'), 4);
  });

  test('counts a prompt the way OpenAI bills it: 3 per message, the role, the content and 3 to prime the reply', () => {
    const counter = createTokenCounter('gpt-4o');
    // OpenAI reports prompt_tokens = 9 for a lone "hello world" user message on gpt-4o.
    assert.equal(counter.countMessages([{ role: 'user', content: 'hello world' }]), 9);
    // 3+1+4 (system) + 3+1+10 (user) + 3 = 25, the same as gpt-tokenizer's own encodeChat for gpt-4o.
    const prompt = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'The quick brown fox jumps over the lazy dog.' },
    ];
    assert.equal(counter.countMessages(prompt), 25);
    assert.equal(counter.countMessage(prompt[1]!), 14);
  });

  test('counts tool calls, tool results, images and tool definitions', () => {
    const counter = createTokenCounter('gpt-4o');
    const call = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const withCall = counter.countMessage({ role: 'assistant', toolCalls: [call] });
    assert.equal(
      withCall,
      3 + counter.countText('assistant') + 3 + counter.countText('get_weather') + counter.countText(call.arguments),
    );
    assert.equal(
      counter.countMessage({ role: 'tool', toolCallId: 'call_1', content: 'sunny' }),
      3 + counter.countText('tool') + counter.countText('sunny'),
    );
    const withImage = counter.countMessage({
      role: 'user',
      content: [{ type: 'image', url: 'https://example.com/a.png' }],
    });
    assert.ok(withImage > 700, 'an image costs hundreds of tokens');
    assert.equal(counter.countTools([]), 0);
    assert.ok(counter.countTools([{ name: 'f', parameters: { type: 'object' } }]) > 12);
  });

  test('treats special-token text in user content as plain text', () => {
    assert.equal(createTokenCounter('gpt-4o').countText('<|endoftext|>'), 7);
  });
});

describe('context windows', () => {
  test('knows the families by the longest matching prefix', () => {
    assert.equal(contextWindowOf('gpt-4o-2024-08-06'), 128_000);
    assert.equal(contextWindowOf('gpt-4o-mini'), 128_000);
    assert.equal(contextWindowOf('gpt-4.1-mini'), 1_047_576);
    assert.equal(contextWindowOf('gpt-4'), 8_192);
    assert.equal(contextWindowOf('gpt-3.5-turbo-0125'), 16_385);
    assert.equal(contextWindowOf('o1-mini'), 128_000);
    assert.equal(contextWindowOf('o3'), 200_000);
    assert.equal(contextWindowOf('claude-3-5-sonnet-latest'), 200_000);
    assert.equal(contextWindowOf('gemini-1.5-pro-002'), 2_097_152);
    assert.equal(contextWindowOf('llama3.1:8b'), 131_072);
    assert.equal(contextWindowOf('Meta-Llama/Llama-3.1-70B-Instruct'), 131_072);
  });

  test('uses the configured default for unknown models and lets operators override', () => {
    assert.equal(contextWindowOf('my-finetune'), DEFAULT_CONTEXT_WINDOW);
    assert.equal(contextWindowOf('my-finetune', { defaultTokens: 32_000 }), 32_000);
    assert.equal(contextWindowOf('llama3.1:8b', { overrides: { 'llama3.1': 8_192 } }), 8_192);
  });
});
