import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONTRACT_PATH } from '../src/api/contract.js';
import { DiskBlobStore } from '../src/files/disk-blob-store.js';
import { buildApp } from '../src/http/app.js';
import { createProviderRegistry } from '../src/providers/index.js';
import { RunEventBus } from '../src/runs/run-event-bus.js';
import { RunWriter } from '../src/runs/run-writer.js';
import { createServices } from '../src/services/index.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { checkResponse, contract, responsesContract } from './helpers/contract-fetch.js';
import { sha256OfBuffer } from './helpers/file-fixtures.js';
import { parseSha256Sums } from './helpers/sha256sums.js';

describe('the contract', () => {
  test('every operation of the contracts (Assistants; Responses, Conversations, Containers) has a route under /v1 and under /openai (Azure)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'contract-test-'));
    const store = SqliteStore.open(':memory:');
    const bus = new RunEventBus();
    const blobs = new DiskBlobStore(dataDir);
    const app = await buildApp({
      services: createServices({
        store,
        blobs,
        maxFileBytes: 1024,
        maxMessagesPerThread: 10,
        runExpiresAfterSeconds: 600,
        runEngine: {
          writer: new RunWriter(store.runs, bus),
          scheduler: { wake: () => undefined, cancel: () => undefined },
          bus,
        },
        ingestion: { wake: () => undefined },
        // Only the routes are listed here; no file's content is ever read.
        fileText: { extractText: () => Promise.reject(new Error('not used by this test')) },
        embeddings: undefined,
        // Nothing listens there: the routes are only looked up, never called.
        models: createProviderRegistry({ openaiBaseURL: 'http://127.0.0.1:9/v1', env: {} }),
        tokenCounts: { count: () => Promise.reject(new Error('not used by this test')), close: async () => undefined },
      }),
      blobs,
      apiKeys: undefined,
      bodyLimitBytes: 1024 * 1024,
      maxFileBytes: 1024,
    });
    try {
      const missing: string[] = [];
      const paths = { ...contract.document.paths, ...responsesContract.document.paths };
      for (const [template, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          for (const prefix of ['/v1', '/openai']) {
            const url = `${prefix}${template.replace(/\{([^}]+)\}/g, ':$1')}`;
            const served = app.hasRoute({ method: method.toUpperCase() as 'GET', url });
            if (!served) missing.push(`${operation.operationId} ${method} ${url}`);
          }
        }
      }
      assert.deepEqual(missing, [], 'operations without a route');
    } finally {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the response checker catches a missing field, a wrong type and an undeclared field', () => {
    const good = { id: 'thread_x', object: 'thread', created_at: 1, tool_resources: {}, metadata: {} };
    assert.deepEqual(checkResponse('GET', '/v1/threads/thread_x', 200, good), []);
    const { metadata: _dropped, ...missing } = good;
    assert.ok(checkResponse('GET', '/v1/threads/thread_x', 200, missing).length > 0);
    assert.ok(checkResponse('GET', '/v1/threads/thread_x', 200, { ...good, created_at: 'now' }).length > 0);
    assert.ok(checkResponse('GET', '/v1/threads/thread_x', 200, { ...good, extra: true }).length > 0);
    assert.ok(checkResponse('GET', '/v1/threads/thread_x', 404, { error: { message: 'x' } }).length > 0);
    // Azure OpenAI's clients call the same operations under /openai: their responses are checked too.
    assert.ok(checkResponse('GET', '/openai/threads/thread_x', 200, { ...good, extra: true }).length > 0);
  });

  test('contract/ is byte for byte the pinned copy: every file matches contract/SHA256SUMS', () => {
    const ours = readFileSync(CONTRACT_PATH, 'utf8');
    const operations = Object.values(JSON.parse(ours).paths as Record<string, object>).flatMap((item) =>
      Object.keys(item),
    );
    assert.equal(operations.length, 48);
    // Checksums kept in the repo rather than a comparison with ../shared/openapi: that folder is missing on most
    // machines, and a check that skips itself there cannot fail. After a deliberate update of the contract:
    // `cd contract && sha256sum SOURCE.md assistants-v2.openapi.json models.openapi.json responses.openapi.json > SHA256SUMS`.
    const directory = path.dirname(fileURLToPath(CONTRACT_PATH));
    const pinned = parseSha256Sums(readFileSync(path.join(directory, 'SHA256SUMS'), 'utf8'));
    const actual = Object.fromEntries(
      readdirSync(directory)
        .filter((name) => name !== 'SHA256SUMS')
        .map((name) => [name, sha256OfBuffer(readFileSync(path.join(directory, name)))]),
    );
    assert.deepEqual(actual, pinned, 'contract/ differs from contract/SHA256SUMS (a file changed, appeared or went)');
  });
});
