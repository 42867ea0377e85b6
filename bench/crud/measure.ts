import autocannon from 'autocannon';

/** One HTTP request shape that autocannon repeats for the whole measurement. */
export interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface LoadSettings {
  connections: number;
  /** Seconds. */
  duration: number;
}

/** What one autocannon run measured. Latencies in milliseconds. */
export interface Sample {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  /** Connection errors, timeouts included. */
  errors: number;
  non2xx: number;
  totalRequests: number;
  /** Seconds autocannon measured. */
  seconds: number;
}

/**
 * Drives `target` with autocannon inside this (the bench) process, so the load generator never
 * shares an event loop with the server it measures.
 */
export async function measure(target: Target, settings: LoadSettings): Promise<Sample> {
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
