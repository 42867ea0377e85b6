import { type AzureClientOptions, AzureOpenAI } from 'openai';
import { contractCheckingFetch } from './contract-fetch.js';
import type { RunFixture } from './run-fixture.js';
import type { TestServer } from './test-server.js';

/** The api-version Azure's Assistants quickstarts used; the tests' default. */
export const AZURE_API_VERSION = '2024-05-01-preview';

/**
 * The official SDK's Azure client, configured as an Azure OpenAI user's code configures it (`endpoint`, `apiKey`,
 * `apiVersion`) but pointed at a test server; every JSON response is checked against the contract.
 */
export function azureClient(server: TestServer, options: Partial<AzureClientOptions> = {}): AzureOpenAI {
  return new AzureOpenAI({
    endpoint: server.url,
    apiKey: 'test-key',
    apiVersion: AZURE_API_VERSION,
    maxRetries: 0,
    timeout: 120_000,
    fetch: contractCheckingFetch(),
    ...options,
  });
}

/** The same fixture with its client replaced by the Azure one, so the run helpers drive it through `/openai`. */
export function azureFixture(fixture: RunFixture, options: Partial<AzureClientOptions> = {}): RunFixture {
  return { ...fixture, client: azureClient(fixture.server, options) };
}
