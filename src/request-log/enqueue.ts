import type { RequestLogBindings } from './bindings.ts';

/**
 * Sends one request's log line (already scrubbed) to the request-log queue; run under `waitUntil`, never on the
 * response path. Without the queue binding, or when the send fails, the request log misses the row: the JSON
 * log line stays, and the call it describes is not affected.
 */
export async function enqueueLogLine(env: RequestLogBindings, line: string): Promise<void> {
  if (!env.REQUEST_LOG_QUEUE) return;
  try {
    await env.REQUEST_LOG_QUEUE.send(line, { contentType: 'text' });
  } catch (error) {
    console.error(JSON.stringify({ event: 'request_log_enqueue_failed', error: String(error) }));
  }
}
