import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { embeddingsResponse } from '../upstream/embeddings.js';
import { pollUntil } from './poll.js';

type FileObject = Awaited<ReturnType<OpenAI['files']['create']>>;
type VectorStore = Awaited<ReturnType<OpenAI['vectorStores']['retrieve']>>;

/** Uploads `content` as a File for the assistants purpose. */
export async function uploadFile(client: OpenAI, filename: string, content: string | Uint8Array): Promise<FileObject> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return client.files.create({ file: await toFile(bytes, filename), purpose: 'assistants' });
}

/** Polls the store until no file is in progress (or `timeoutMs` passes) and returns it. */
export async function waitForStore(client: OpenAI, vectorStoreId: string, timeoutMs = 30_000): Promise<VectorStore> {
  let last: VectorStore | undefined;
  return pollUntil(
    async () => {
      last = await client.vectorStores.retrieve(vectorStoreId);
      return last.status !== 'in_progress' && last;
    },
    {
      what: () => `vector store ${vectorStoreId} to finish ingesting: ${JSON.stringify(last?.file_counts)}`,
      timeoutMs,
      intervalMs: 50,
    },
  );
}

/** The ids of the files whose chunks a search returns, in result order. */
export async function searchFileIds(
  client: OpenAI,
  vectorStoreId: string,
  query: string,
  maxNumResults = 50,
): Promise<string[]> {
  const page = await client.vectorStores.search(vectorStoreId, { query, max_num_results: maxNumResults });
  return page.data.map((result) => result.file_id);
}

/**
 * An OpenAI-compatible `/v1/embeddings` upstream that holds every request until `release()`, so a
 * test can keep files in progress for as long as it needs (cancel, delete mid-ingestion).
 */
export interface GatedEmbeddings {
  baseURL: string;
  /** Requests received so far (answered or held). */
  readonly received: number;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/** `shouldHold(body, index)` decides per request (index counts from 0); by default every request is held. */
export async function startGatedEmbeddings(
  shouldHold: (body: { input: string[] }, index: number) => boolean = () => true,
): Promise<GatedEmbeddings> {
  let received = 0;
  let open = false;
  const held: Array<() => void> = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const index = received;
      received += 1;
      const body = JSON.parse(Buffer.concat(parts).toString() || '{}') as { input: string[] };
      const answer = (): void => {
        const result = embeddingsResponse(body);
        response.writeHead(result.ok ? 200 : 400, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result.ok ? result.body : { error: { message: result.message } }));
      };
      if (open || !shouldHold(body, index)) answer();
      else held.push(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const release = (): void => {
    open = true;
    for (const answer of held.splice(0)) answer();
  };
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get received() {
      return received;
    },
    async waitForRequests(count, timeoutMs = 20_000) {
      await pollUntil(() => received >= count, {
        what: () => `${count} embedding requests, got ${received}`,
        timeoutMs,
        intervalMs: 20,
      });
    },
    release,
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
