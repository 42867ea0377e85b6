import type { Backend } from '../backends.js';
import type { Target } from './measure.js';
import { MESSAGE_BODY, seedThread } from './seed.js';
import type { CaseName } from './settings.js';

/** Servers and credentials a case builds its requests from. */
export interface CaseContext {
  /** Our server on each backend measured. */
  oursUrls: Partial<Record<Backend, string>>;
  ceilingUrl: string;
  /** Auth plus the headers the official SDK sends; the ceiling receives them too and ignores them. */
  headers: Record<string, string>;
}

/** One endpoint: how to describe it and how to build each variant's request for a round. */
export interface BenchCase {
  name: CaseName;
  description: string;
  ours(backend: Backend): Promise<Target>;
  ceiling(): Target;
}

const SEEDED_MESSAGES = 20;

export async function createCase(name: CaseName, context: CaseContext): Promise<BenchCase> {
  switch (name) {
    case 'retrieve':
      return retrieveCase(context);
    case 'create':
      return createMessageCase(context);
  }
}

/** Our server's url on `backend`, which the bench started. */
function oursUrl(context: CaseContext, backend: Backend): string {
  const url = context.oursUrls[backend];
  if (url === undefined) throw new Error(`no server on ${backend}`);
  return url;
}

async function retrieveCase(context: CaseContext): Promise<BenchCase> {
  const targets = new Map<Backend, Target>();
  for (const backend of Object.keys(context.oursUrls) as Backend[]) {
    const url = oursUrl(context, backend);
    const seeded = await seedThread(url, context.headers, SEEDED_MESSAGES);
    targets.set(backend, {
      url: `${url}/v1/threads/${seeded.threadId}/messages/${seeded.messageId}`,
      method: 'GET',
      headers: context.headers,
    });
  }
  return {
    name: 'retrieve',
    description: `GET /v1/threads/{id}/messages/{msg_id} (thread of ${SEEDED_MESSAGES} messages) vs GET /hello`,
    ours: async (backend) => targets.get(backend)!,
    ceiling: () => ({ url: `${context.ceilingUrl}/hello`, method: 'GET', headers: context.headers }),
  };
}

/**
 * Each round posts into a fresh thread, so every round starts from the same state instead of
 * a thread that earlier rounds have grown by tens of thousands of messages.
 */
function createMessageCase(context: CaseContext): BenchCase {
  return {
    name: 'create',
    description: 'POST /v1/threads/{id}/messages (fresh thread each round) vs POST /hello, same JSON body',
    ours: async (backend) => {
      const url = oursUrl(context, backend);
      const seeded = await seedThread(url, context.headers, 1);
      return {
        url: `${url}/v1/threads/${seeded.threadId}/messages`,
        method: 'POST',
        headers: context.headers,
        body: MESSAGE_BODY,
      };
    },
    ceiling: () => ({
      url: `${context.ceilingUrl}/hello`,
      method: 'POST',
      headers: context.headers,
      body: MESSAGE_BODY,
    }),
  };
}
