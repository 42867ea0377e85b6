import autocannon from 'autocannon';
import type { LoadRequest, Sample } from './measure.js';

/**
 * The load generator's own process (forked by measure.ts with an IPC channel): it runs autocannon for each
 * request it is sent and answers with the sample. Kept out of the bench process so the load generator has an
 * event loop of its own and its CPU time can be read apart from everything else.
 */
process.on('message', (message: LoadRequest) => {
  void run(message).then(
    (sample) => process.send!({ id: message.id, sample }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

async function run({ target, settings }: LoadRequest): Promise<Sample> {
  const result = await autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    ...(target.body === undefined ? {} : { body: target.body }),
    connections: settings.connections,
    duration: settings.duration,
    pipelining: 1,
    timeout: 10,
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    totalRequests: result.requests.total,
    seconds: result.duration,
  };
}
