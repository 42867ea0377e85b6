import type OpenAI from 'openai';
import { type ScriptedUpstream, startScriptedUpstream } from '../upstream/index.js';
import { sdkClient } from './client.js';
import { pollUntil } from './poll.js';
import { removeDataDir, type StartOptions, startTestServer, type TestServer } from './test-server.js';

export interface RunFixture {
  server: TestServer;
  upstream: ScriptedUpstream;
  client: OpenAI;
  close(): Promise<void>;
}

/** A real server whose default provider is a scripted OpenAI-compatible upstream, and an SDK client for it. */
export async function startRunFixture(options: StartOptions = {}): Promise<RunFixture> {
  const upstream = await startScriptedUpstream();
  const server = await startTestServer({
    ...options,
    env: {
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'upstream-key',
      UPSTREAM_MAX_RETRIES: '2',
      ...options.env,
    },
  });
  // With embeddings on, the server asks the upstream for one at start-up (is the provider reachable?). Tests read
  // the requests the upstream recorded by position, so that probe must not land among theirs.
  if (options.env?.EMBEDDING_MODEL !== 'none') {
    await pollUntil(() => upstream.requests.some((request) => request.path === '/v1/embeddings'), {
      what: 'the embedding provider probe at start-up',
      timeoutMs: 10_000,
    });
    upstream.reset();
  }
  return {
    server,
    upstream,
    client: sdkClient(server),
    async close() {
      await server.stop();
      await upstream.close();
      removeDataDir(server);
    },
  };
}
