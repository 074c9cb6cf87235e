import { errorBody, type GatewayError } from '../errors.ts';

/** The one place that renders an error as an HTTP response. */
export function renderError(error: GatewayError, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(error)), {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers, ...headers },
  });
}

/**
 * The same error for a browser `EventSource`, which never exposes the status or body of a non-200
 * answer (a 401, 429 or 400 would reach the page as a bare "error" with no reason): HTTP 200 with one
 * `event: error` frame carrying the body above, the real status in `x-gateway-error-status`, and
 * `retry:` from Retry-After so an EventSource left open reconnects no sooner than allowed.
 */
export function renderErrorEvent(error: GatewayError): Response {
  const seconds = Number(error.headers['retry-after']);
  const retry = Number.isFinite(seconds) && seconds > 0 ? `retry: ${Math.ceil(seconds * 1000)}\n` : '';
  return new Response(`${retry}event: error\ndata: ${JSON.stringify(errorBody(error))}\n\n`, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', ...error.headers, 'x-gateway-error-status': String(error.status) },
  });
}
