import type { ErrorCode, GatewayError } from '../errors.ts';

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);
const NEVER_RETRY_CODES: readonly ErrorCode[] = [
  'insufficient_quota',
  'upstream_auth_error',
  'provider_not_configured',
  'client_closed_request',
  'timeout',
];

/** Whether the same model may be asked again: the server's `x-should-retry` first, then the status. */
export function isRetryable(error: GatewayError): boolean {
  if (error.is(...NEVER_RETRY_CODES)) return false;
  const hint = error.headers['x-should-retry'];
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return RETRYABLE_STATUS.has(error.status);
}

/** Whether the upstream said the prompt does not fit the model's context window. */
export function isContextTooLong(error: GatewayError): boolean {
  if (error.is('context_length_exceeded', 'string_above_max_length')) return true;
  return error.status === 400 && /context (length|window)|maximum context|prompt is too long|too many tokens/i.test(error.message);
}

/** Whether to move on to the next model: retries exhausted on a retryable error, no quota, a bad upstream key, or too long a prompt. */
export function allowsFallback(error: GatewayError): boolean {
  if (error.is('client_closed_request', 'timeout')) return false;
  return isRetryable(error) || error.is('insufficient_quota', 'upstream_auth_error', 'provider_not_configured') || isContextTooLong(error);
}

/** Whether the upstream caused the failure (its error answer, a reset), as opposed to the gateway's own timeouts or the client leaving. */
export function isUpstreamFailure(error: GatewayError): boolean {
  return !error.is('upstream_timeout', 'timeout', 'stream_idle_timeout', 'client_closed_request');
}
