import { isJsonObject } from '../../core/types.ts';
import { GatewayError } from '../../errors.ts';
import type { Target } from '../target.ts';
import { fromUpstreamBody, redact, retryHeaders } from '../upstream-error.ts';

/**
 * An Anthropic error body (`{"type":"error","error":{"type","message"},"request_id"}`) as a GatewayError.
 * `overloaded_error` (HTTP 529, which no OpenAI client knows) becomes a retryable 503 and `rate_limit_error`
 * a 429 `rate_limit_exceeded`, both keeping the server's `retry-after`; the rest keep their status.
 * @example anthropicError(529, {type:'error', error:{type:'overloaded_error', message:'Overloaded'}}, headers, target)
 */
export function anthropicError(status: number, body: unknown, headers: Headers | undefined, target: Target): GatewayError {
  const err = isJsonObject(body) && isJsonObject(body['error']) ? body['error'] : {};
  const type = typeof err['type'] === 'string' ? err['type'] : '';
  const message = redact(typeof err['message'] === 'string' ? err['message'] : `The upstream answered HTTP ${status}.`);
  const forwarded = retryHeaders(headers);
  if (type === 'overloaded_error' || status === 529) {
    return new GatewayError(503, `${target.id} is overloaded: ${message}`, {
      type: 'upstream_error',
      code: 'upstream_overloaded',
      headers: forwarded,
    });
  }
  if (type === 'rate_limit_error' || status === 429)
    return new GatewayError(429, message, { type: 'rate_limit_error', code: 'rate_limit_exceeded', headers: forwarded });
  if (type === 'not_found_error' && message.startsWith('model:'))
    return new GatewayError(404, message, { type: 'invalid_request_error', upstreamCode: 'model_not_found', headers: forwarded });
  if (type === 'api_error') return new GatewayError(Math.max(status, 500), message, { type: 'server_error', headers: forwarded });
  return fromUpstreamBody(
    status,
    { error: { message, type: type === 'not_found_error' ? 'invalid_request_error' : type || undefined } },
    headers,
    target,
  );
}

/**
 * A non-2xx answer as its GatewayError (`anthropicError`). A body that is not JSON (a proxy's HTML page, a body
 * cut short) counts as empty: the status alone speaks.
 */
export async function statusError(response: Response, target: Target): Promise<GatewayError> {
  const text = await response.text().catch(() => '');
  return anthropicError(response.status, jsonOrEmpty(text), response.headers, target);
}

function jsonOrEmpty(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
