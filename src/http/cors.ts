import type { Config } from '../config/config.ts';
import { describeOrigin, pageOrigin } from '../core/page-origin.ts';
import { GatewayError } from '../errors.ts';

// DELETE: a page cancels its own resumable stream (DELETE /stream/:id).
const ALLOW_METHODS = 'GET, POST, DELETE, OPTIONS';
// What a page on an allowed origin may read: which model answered and how, what it cost, what limits remain.
const EXPOSE_HEADERS = [
  'x-request-id',
  'x-gateway-model',
  'x-gateway-attempts',
  'x-gateway-cache',
  'x-gateway-prompt-tokens',
  'x-gateway-completion-tokens',
  'x-gateway-cost-usd',
  'x-gateway-max-tokens-clamped',
  'x-gateway-trimmed-messages',
  // A resumable stream's id, to reattach after a reload (GET /stream/:id).
  'x-gateway-stream-id',
  ...['requests', 'tokens'].flatMap((unit) => ['limit', 'remaining', 'reset'].map((part) => `x-ratelimit-${part}-${unit}`)),
  'retry-after',
  'age',
  'server-timing',
  // The request's trace (W3C Trace Context level 2), when it is traced.
  'traceresponse',
].join(', ');

/** The allowed origin to echo back for this request, or null when CORS does not apply or the origin is not allowed. */
function allowedOrigin(request: Request, config: Config): string | null {
  const origin = request.headers.get('origin');
  if (!origin) return null;
  if (config.allowedOrigins === '*') return '*';
  return config.allowedOrigins.includes(origin) ? origin : null;
}

/** Answers a CORS preflight (204, or 403 for an origin not in ALLOWED_ORIGINS); null when the request is not one. */
export function preflight(request: Request, config: Config): Response | null {
  if (request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method')) return null;
  const origin = allowedOrigin(request, config);
  if (!origin)
    throw new GatewayError(403, `Origin ${request.headers.get('origin') ?? '(none)'} is not allowed; add it to ALLOWED_ORIGINS.`, {
      code: 'origin_not_allowed',
    });
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': ALLOW_METHODS,
      'access-control-allow-headers': request.headers.get('access-control-request-headers') ?? 'authorization, content-type',
      'access-control-max-age': '86400',
      vary: 'Origin, Access-Control-Request-Headers',
    },
  });
}

/** Adds CORS headers to an actual response when the origin is allowed. */
export function withCors(response: Response, request: Request, config: Config | undefined): Response {
  const origin = config ? allowedOrigin(request, config) : null;
  if (!origin || response.status === 204) return response;
  response.headers.set('access-control-allow-origin', origin);
  response.headers.set('access-control-expose-headers', EXPOSE_HEADERS);
  if (origin !== '*') response.headers.append('vary', 'Origin');
  return response;
}

/**
 * An anonymous call must come from an allowed page or from no page at all: a browser names the page on
 * cross-site requests, even ones that need no preflight (an EventSource, an image, a form), so without this any
 * website a developer visits could spend the provider keys of `npm start`.
 */
export function assertAnonymousOriginAllowed(request: Request, config: Config): void {
  const origin = pageOrigin(request);
  if (origin === null || config.allowedOrigins === '*' || config.allowedOrigins.includes(origin)) return;
  // The gateway's own pages (the playground) call it from its own origin, whatever port it runs on.
  if (origin === new URL(request.url).origin) return;
  throw new GatewayError(403, `Origin ${describeOrigin(origin)} may not call this gateway without a key; add it to ALLOWED_ORIGINS.`, {
    code: 'origin_not_allowed',
  });
}
