import OpenAI from 'openai';
import { contractCheckingFetch } from './contract-fetch.js';
import type { TestServer } from './test-server.js';

/** The official SDK pointed at a test server, with every JSON response checked against the contract. */
export function sdkClient(server: TestServer, apiKey = 'test-key'): OpenAI {
  return new OpenAI({
    baseURL: server.baseURL,
    apiKey,
    maxRetries: 0,
    timeout: 120_000,
    fetch: contractCheckingFetch(),
  });
}
