// Errors in Anthropic's shape, for JSON answers and the stream's `event: error` alike.
import type { GatewayError } from '../../errors.ts';

/** Anthropic's error types by status; its SDKs pick their error class by status, Claude Code reads the type. */
const TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** Anthropic's error object: `{"type":"error","error":{"type","message"}}`. */
export interface MessagesErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/**
 * A gateway error as Anthropic's error object. Statuses stay the gateway's (an overloaded upstream is a
 * retryable 503 with type `overloaded_error`); every other 5xx is an `api_error`, every other 4xx an
 * `invalid_request_error`.
 * @example messagesErrorBody(new GatewayError(401, 'Invalid gateway key.')) // {type:'error', error:{type:'authentication_error', …}}
 */
export function messagesErrorBody(error: GatewayError): MessagesErrorBody {
  const type = error.is('upstream_overloaded')
    ? 'overloaded_error'
    : (TYPES[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error'));
  return { type: 'error', error: { type, message: error.message } };
}
