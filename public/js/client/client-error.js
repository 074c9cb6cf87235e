// Built by scripts/build-playground.ts from src/client/client-error.ts: edit that file, not this one.
                                             

/** Failures the client itself detects, beside the gateway's own codes (`invalid_api_key`, `rate_limit_exceeded`, …). */
                                                                                                 

/**
 * A call that failed: the gateway answered non-2xx (its OpenAI-shaped body is kept), sent an `error` event
 * during a stream, could not be reached, or sent something unreadable. `status` is 0 when no HTTP answer came.
 */
export class GatewayClientError extends Error {
                    name = 'GatewayClientError';
           status        ;
           type        ;
           code               ;
           param               ;
  /** How long the gateway asked to wait before trying again (`retry-after-ms`, `Retry-After`), in seconds. */
           retryAfterSeconds                    ;
  /** The gateway's `x-request-id`, to quote when reporting a problem. */
           requestId                    ;

  constructor(
    status        ,
    body           ,
    details                                                                                              = {},
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
export function clientError(code                 , message        , cause          )                     {
  return new GatewayClientError(0, { message, type: 'client_error', param: null, code }, { cause });
}

/** Seconds to wait from `retry-after-ms`, else `Retry-After` as seconds or an HTTP date; undefined when absent. */
export function retryAfterSeconds(headers         , now = Date.now())                     {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

function isErrorBody(value         )                     {
  if (typeof value !== 'object' || value === null) return false;
  const { message, type } = value                           ;
  return typeof message === 'string' && typeof type === 'string';
}

/** The error of a non-2xx response: its OpenAI-shaped body when it has one, else a message naming the status. */
export async function errorFromResponse(response          , what        )                              {
  const text = await response.text().catch(() => '');
  let parsed         ;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const inner = typeof parsed === 'object' && parsed !== null ? (parsed                       ).error : undefined;
  const body            = isErrorBody(inner)
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
