/** The one error type the gateway throws; `renderError` turns it into the OpenAI wire shape. */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  /** Headers the response must carry, e.g. a forwarded `retry-after`. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    options: { type?: string; code?: string | null; param?: string | null; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = options.type ?? defaultType(status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  /** The same error with more response headers. */
  withHeaders(extra: Record<string, string>): GatewayError {
    return new GatewayError(this.status, this.message, { type: this.type, code: this.code, param: this.param, headers: { ...this.headers, ...extra }, cause: this.cause });
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
export const invalidField = (param: string, message: string, code = 'invalid_value') =>
  new GatewayError(400, message, { param, code });

/** 500 for a configuration value that cannot be used, naming the variable. */
export const configError = (variable: string, message: string) =>
  new GatewayError(500, `Gateway configuration error in ${variable}: ${message}`, { type: 'server_error', code: 'config_error', param: variable });

/** 499 (nginx's convention): the client went away before the answer; only ever seen in logs. */
export const clientClosed = () => new GatewayError(499, 'The client closed the request.', { type: 'invalid_request_error', code: 'client_closed_request' });

/** Why a signal aborted, as the error to report: the GatewayError it was aborted with (a timeout), else the client's 499. */
export const abortReason = (signal: AbortSignal): GatewayError => (signal.reason instanceof GatewayError ? signal.reason : clientClosed());
