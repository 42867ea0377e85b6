import http from 'node:http';
import { percentile } from '../stream/stats.js';
import { type BadRequest, malformedRequests } from './malformed-requests.js';

/*
 * The load process of the malformed-request burst, apart from the bench and the server: <count> requests
 * cycling through `malformedRequests()`, <concurrency> in flight on keep-alive sockets, then one JSON line
 * (`BurstReport`) on stdout.
 *
 *   node --import tsx bench/abuse/burst-load.ts http://127.0.0.1:PORT <api key> 2000 50
 */

export interface BurstReport {
  /** Responses per HTTP status; `transport error` for requests that got none. */
  statuses: Record<string, number>;
  /** Kinds of request that got a 5xx or no response, with how many. */
  broken: Record<string, number>;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

function send(agent: http.Agent, url: string, apiKey: string, request: BadRequest): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${apiKey}`, ...request.headers };
    if (headers.authorization === '') delete headers.authorization;
    if (request.body) headers['content-length'] = request.body.length;
    const outgoing = http.request(
      `${url}${request.path}`,
      { method: request.method, headers, agent, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(0));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', () => resolve(0));
    outgoing.end(request.body);
  });
}

async function main(): Promise<void> {
  const [url, apiKey, countText, concurrencyText] = process.argv.slice(2);
  const count = Number(countText);
  const concurrency = Number(concurrencyText);
  if (!url || !apiKey || !(count > 0) || !(concurrency > 0)) {
    throw new Error('usage: burst-load.ts <server url> <api key> <count> <concurrency>');
  }
  const kinds = malformedRequests();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const report: BurstReport = { statuses: {}, broken: {}, seconds: 0, p50Ms: 0, p99Ms: 0 };
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const request = kinds[next++ % kinds.length]!;
      const sent = performance.now();
      const status = await send(agent, url, apiKey, request);
      latencies.push(performance.now() - sent);
      const key = status === 0 ? 'transport error' : String(status);
      report.statuses[key] = (report.statuses[key] ?? 0) + 1;
      if (status === 0 || status >= 500) report.broken[request.kind] = (report.broken[request.kind] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  report.seconds = (performance.now() - started) / 1000;
  report.p50Ms = percentile(latencies, 0.5);
  report.p99Ms = percentile(latencies, 0.99);
  agent.destroy();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
