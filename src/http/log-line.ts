import type { RequestContext } from './context.ts';
import { scrubText } from './scrub.ts';

/** Writes the one structured log line of a request. Never includes keys, tokens or the query string. */
export function writeLogLine(rc: RequestContext, method: string, status: number): void {
  const line = {
    at: new Date().toISOString(),
    request_id: rc.requestId,
    method,
    ...rc.log,
    status,
    latency_ms: Math.round((rc.deps.now() - rc.startedAt) * 100) / 100,
  };
  console.log(scrubText(JSON.stringify(line), rc.config?.secrets ?? []));
}
