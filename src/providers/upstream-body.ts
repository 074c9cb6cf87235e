import { GatewayError } from '../errors.ts';
import type { Target } from './target.ts';

/** Whether an answer to a stream request really is a stream: an error can come back as plain JSON even then. */
export function isEventStream(response: Response, stream: boolean): response is Response & { body: ReadableStream<Uint8Array> } {
  return stream && (response.headers.get('content-type') ?? '').includes('text/event-stream') && response.body !== null;
}

/** Upstream text as JSON, or a 502 `upstream_malformed_response` naming what was not JSON (a response, a stream chunk, …). */
export function upstreamJson(text: string, target: Target, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(502, `The upstream ${target.id} sent ${what} that is not JSON.`, {
      type: 'upstream_error',
      code: 'upstream_malformed_response',
    });
  }
}
