import { errorBody, type GatewayError } from '../errors.ts';

/** Statuses the OpenAI SDKs retry on their own; every other 4xx is the request's fault, which no retry fixes. */
const CLIENT_RETRYABLE = new Set([408, 409, 429]);

/**
 * `x-should-retry` for an error, as OpenAI's SDKs read it: "false" for bad input (4xx other than 408, 409
 * and 429) and for a deployment that is not configured, which a retry cannot fix; an explicit hint wins.
 */
function retryHint(error: GatewayError): Record<string, string> {
  if (error.headers['x-should-retry']) return {};
  const fixedByRetry =
    error.status >= 500
      ? !error.is('config_error', 'provider_not_configured', 'gateway_not_configured')
      : CLIENT_RETRYABLE.has(error.status);
  return fixedByRetry ? {} : { 'x-should-retry': 'false' };
}

/** The one place that renders an error as an HTTP response; `body` gives the route's wire shape (OpenAI's by default). */
export function renderError(
  error: GatewayError,
  headers: Record<string, string> = {},
  body: (error: GatewayError) => unknown = errorBody,
): Response {
  return new Response(JSON.stringify(body(error)), {
    status: error.status,
    headers: { 'content-type': 'application/json', ...retryHint(error), ...error.headers, ...headers },
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
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      ...retryHint(error),
      ...error.headers,
      'x-gateway-error-status': String(error.status),
    },
  });
}
