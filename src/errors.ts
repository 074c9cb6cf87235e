// The gateway's one error type and its codes. A leaf module: it imports nothing, so every layer may use it.

/** Codes the gateway itself sets. */
export type GatewayCode =
  | 'client_closed_request'
  | 'config_error'
  | 'context_length_exceeded'
  | 'extraction_failed'
  | 'forbidden_model'
  | 'gateway_not_configured'
  | 'internal_error'
  | 'invalid_api_key'
  | 'invalid_json'
  | 'invalid_schema'
  | 'invalid_type'
  | 'invalid_value'
  | 'key_not_found'
  | 'limit_unavailable'
  | 'limit_exceeded'
  | 'budget_exceeded'
  | 'method_not_allowed'
  | 'missing_api_key'
  | 'missing_field'
  | 'model_cooling_down'
  | 'model_not_found'
  | 'origin_not_allowed'
  | 'previous_response_not_found'
  | 'provider_not_configured'
  | 'refusal'
  | 'request_too_large'
  | 'response_not_found'
  | 'too_deep'
  | 'timeout'
  | 'unknown_field'
  | 'unknown_provider'
  | 'unknown_route'
  | 'unknown_tool'
  | 'unsupported_media_type'
  | 'upstream_auth_error'
  | 'upstream_connection_error'
  | 'upstream_malformed_response'
  | 'upstream_overloaded'
  | 'upstream_stream_cut'
  | 'upstream_timeout'
  | 'stream_idle_timeout'
  | 'stream_not_found'
  | 'stream_events_expired';

/** Codes upstreams send that the gateway acts on (retry, fallback); any other upstream code is relayed as it is. */
export type KnownUpstreamCode = 'insufficient_quota' | 'string_above_max_length' | 'rate_limit_exceeded';

export type ErrorCode = GatewayCode | KnownUpstreamCode;

export interface GatewayErrorOptions {
  type?: string;
  code?: ErrorCode | null;
  /** A code relayed from an upstream body that the gateway does not know; rendered as `code`. */
  upstreamCode?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error type the gateway throws; `http/render-error.ts` turns it into the OpenAI wire shape. */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  /** The rendered code: the gateway's own, or the one relayed from an upstream. */
  readonly code: string | null;
  readonly param: string | null;
  /** Headers the response must carry, e.g. a forwarded `retry-after`. */
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = options.type ?? defaultType(status);
    this.code = options.code ?? options.upstreamCode ?? null;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  /** Whether this error carries one of the codes the gateway knows (typed, so a typo does not compile). */
  is(...codes: ErrorCode[]): boolean {
    return this.code !== null && (codes as string[]).includes(this.code);
  }

  /** The same error with more response headers. */
  withHeaders(extra: Record<string, string>): GatewayError {
    return new GatewayError(this.status, this.message, {
      type: this.type,
      upstreamCode: this.code,
      param: this.param,
      headers: { ...this.headers, ...extra },
      cause: this.cause,
    });
  }
}

/** The error type OpenAI's own API uses for a status, so OpenAI clients classify ours the same way. */
export function defaultType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status === 502 || status === 503) return 'upstream_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** 400 for a missing or wrong request field, naming it in `param`. */
export const invalidField = (param: string, message: string, code: GatewayCode = 'invalid_value') =>
  new GatewayError(400, message, { param, code });

/** 401 for a key that is neither a configured nor a managed key: what happened, and what to do. */
export const invalidKey = () =>
  new GatewayError(
    401,
    "Invalid gateway key: this gateway knows no such key. Check the key you send (Authorization: Bearer <key>), or ask the gateway's owner for one.",
    { code: 'invalid_api_key' },
  );

/** 500 for a configuration value that cannot be used, naming the variable. */
export const configError = (variable: string, message: string) =>
  new GatewayError(500, `Gateway configuration error in ${variable}: ${message}`, {
    type: 'server_error',
    code: 'config_error',
    param: variable,
  });

/** 499 (nginx's convention): the client went away before the answer; only ever seen in logs. */
export const clientClosed = () =>
  new GatewayError(499, 'The client closed the request.', { type: 'invalid_request_error', code: 'client_closed_request' });

/** Why a signal aborted, as the error to report: the GatewayError it was aborted with (a timeout), else the client's 499. */
export const abortReason = (signal: AbortSignal): GatewayError => (signal.reason instanceof GatewayError ? signal.reason : clientClosed());

/** Turns anything thrown into a GatewayError; an unexpected error becomes a 500 that names the request id, never a stack. */
export function asGatewayError(error: unknown, requestId?: string): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(500, `Internal error in the gateway${requestId ? ` (request id ${requestId})` : ''}.`, {
    type: 'server_error',
    code: 'internal_error',
    cause: error,
  });
}

/** The OpenAI error body: `{"error":{"message","type","param","code"}}`. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The wire body of an error, for JSON responses and SSE error events alike. */
export function errorBody(error: GatewayError): ErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}
