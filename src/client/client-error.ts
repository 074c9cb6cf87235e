import type { ErrorBody } from './events.ts';

/** Failures the client itself detects, beside the gateway's own codes (`invalid_api_key`, `rate_limit_exceeded`, …). */
export type ClientErrorCode = 'gateway_unreachable' | 'stream_incomplete' | 'malformed_response';

/**
 * A call that failed: the gateway answered non-2xx (its OpenAI-shaped body is kept), sent an `error` event
 * during a stream, could not be reached, or sent something unreadable. `status` is 0 when no HTTP answer came.
 */
export class GatewayClientError extends Error {
  override readonly name = 'GatewayClientError';
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  /** How long the gateway asked to wait before trying again (`retry-after-ms`, `Retry-After`), in seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** The gateway's `x-request-id`, to quote when reporting a problem. */
  readonly requestId: string | undefined;

  constructor(
    status: number,
    body: ErrorBody,
    details: { retryAfterSeconds?: number | undefined; requestId?: string | undefined; cause?: unknown } = {},
  ) {
    super(body.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = status;
    this.type = body.type;
    this.code = body.code;
    this.param = body.param;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.requestId = details.requestId;
  }
}

/** A failure detected by the client, not sent by the gateway. */
export function clientError(code: ClientErrorCode, message: string, cause?: unknown): GatewayClientError {
  return new GatewayClientError(0, { message, type: 'client_error', param: null, code }, { cause });
}

/** Seconds to wait from `retry-after-ms`, else `Retry-After` as seconds or an HTTP date; undefined when absent. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const { message, type } = value as Record<string, unknown>;
  return typeof message === 'string' && typeof type === 'string';
}

/** The error of a non-2xx response: its OpenAI-shaped body when it has one, else a message naming the status. */
export async function errorFromResponse(response: Response, what: string): Promise<GatewayClientError> {
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const inner = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  const body: ErrorBody = isErrorBody(inner)
    ? { message: inner.message, type: inner.type, param: inner.param ?? null, code: inner.code ?? null }
    : {
        message: `${what} failed: HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        type: 'http_error',
        param: null,
        code: null,
      };
  return new GatewayClientError(response.status, body, {
    retryAfterSeconds: retryAfterSeconds(response.headers),
    requestId: response.headers.get('x-request-id') ?? undefined,
  });
}
