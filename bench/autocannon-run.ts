// Non-stream load with autocannon: a fixed number of connections for a fixed time (or number of requests).
// autocannon's own histogram keeps whole milliseconds, too coarse for sub-millisecond overheads, so every
// response time (float ms, measured by autocannon) is collected from its `response` event instead.
import autocannon from 'autocannon';
import type { Target } from './requests.ts';

/** The raw outcome of one autocannon run. */
export interface LoadSample {
  /** Response times of 2xx answers, ms. */
  readonly latencies: number[];
  /** From the first request to the last response, ms. */
  readonly elapsedMs: number;
  /** Non-2xx answers, connection errors and timeouts. */
  readonly failures: number;
}

export interface LoadOptions {
  readonly connections: number;
  /** Run for this long… */
  readonly seconds?: number;
  /** …or until this many requests are done. */
  readonly amount?: number;
  /** Extra request headers (e.g. cache-control). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Runs autocannon against a target with one body and returns every latency. */
export async function loadRun(target: Target, body: object, options: LoadOptions): Promise<LoadSample> {
  const latencies: number[] = [];
  let failures = 0;
  let lastResponse = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { ...target.headers, ...options.headers },
        body: JSON.stringify(body),
        connections: options.connections,
        pipelining: 1,
        timeout: 10,
        // autocannon notices the end of a run on its sampling tick: 1 s by default, idle time we do not want.
        sampleInt: 100,
        ...(options.amount === undefined ? { duration: options.seconds ?? 1 } : { amount: options.amount }),
      },
      (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponse = performance.now();
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else failures++;
    });
    instance.on('reqError', () => failures++);
  });
  return { latencies, elapsedMs: lastResponse === 0 ? 0 : lastResponse - started, failures };
}
