import { abortReason, clientClosed, GatewayError } from '../errors.ts';
import type { Target } from './target.ts';
import { isJsonObject } from '../core/types.ts';

/** Replaces anything shaped like an API key, so an upstream message can never leak one. */
export function redact(text: string): string {
  return text.replace(/\b(sk|pk|rk|gsk|key|sess)[-_][A-Za-z0-9_*.-]{6,}/g, '[redacted]').replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
}

const SECONDS = /^\d+(\.\d+)?$/;
/** The upstream headers a client gets with an error, each with the only form it may take (an HTTP date as RFC 9110's IMF-fixdate). */
const RETRY_HEADERS: Readonly<Record<string, RegExp>> = {
  'retry-after': /^(\d+(\.\d+)?|[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)$/,
  'retry-after-ms': SECONDS,
  'x-should-retry': /^(true|false)$/,
};

/**
 * The retry hints of an upstream answer that the gateway passes on, each only in its own well-formed shape: an
 * upstream's other bytes never ride along in a header (a hostile one could put the provider key there).
 */
export function retryHeaders(headers: Headers | undefined): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, form] of Object.entries(RETRY_HEADERS)) {
    const value = headers?.get(name)?.trim();
    if (value && form.test(value)) forwarded[name] = value;
  }
  return forwarded;
}

/**
 * An upstream error body of any shape (`{error:{…}}`, `{error:"…"}`, `{message}`, a numeric `code`,
 * no `type`) as a GatewayError with the standard fields. 401/403 mean the gateway's own key is wrong: 502.
 */
export function fromUpstreamBody(status: number, body: unknown, headers: Headers | undefined, target: Target): GatewayError {
  const err = isJsonObject(body) && 'error' in body ? body['error'] : body;
  const obj = isJsonObject(err) ? err : {};
  const message =
    typeof err === 'string' ? err : typeof obj['message'] === 'string' ? obj['message'] : `The upstream answered HTTP ${status}.`;
  const code = typeof obj['code'] === 'string' || typeof obj['code'] === 'number' ? String(obj['code']) : null;
  if (status === 401 || status === 403) {
    const secret = target.provider.spec.keyVar;
    return new GatewayError(
      502,
      `Provider ${target.provider.spec.name} rejected the gateway's credentials (HTTP ${status}).${secret ? ` Check the secret ${secret}.` : ''}`,
      {
        type: 'upstream_error',
        code: 'upstream_auth_error',
      },
    );
  }
  // type, param and code are relayed as sent (the gateway acts on codes); configured secrets are scrubbed from them at the edge.
  const type = typeof obj['type'] === 'string' && obj['type'] !== '' ? obj['type'] : undefined;
  const param = typeof obj['param'] === 'string' ? obj['param'] : null;
  return new GatewayError(status, redact(message), {
    ...(type ? { type } : {}),
    upstreamCode: code,
    param,
    headers: retryHeaders(headers),
  });
}

/** What a wire's SDK error means, whichever SDK threw it (each wire reads its own SDK's error classes). */
export type SdkFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }
  /** The SDK refused to make the request: the provider's configuration is wrong. */
  | { readonly kind: 'misconfigured'; readonly message: string }
  | { readonly kind: 'unreachable' }
  /** The upstream answered an error status: the error its body says. */
  | { readonly kind: 'answered'; readonly error: GatewayError };

/**
 * Any failure of an upstream attempt as a GatewayError, for every wire: an abort (the client left, or the
 * deadline) wins, a GatewayError passes as it is, and the rest is what the wire's `read` makes of its SDK's error.
 */
export function toGatewayError(
  error: unknown,
  target: Target,
  signal: AbortSignal,
  read: (error: unknown, target: Target) => SdkFailure,
): GatewayError {
  if (signal.aborted) return abortReason(signal);
  if (error instanceof GatewayError) return error;
  const failure = read(error, target);
  const where = `${target.provider.spec.name} (${target.model})`;
  switch (failure.kind) {
    case 'timeout':
      return new GatewayError(504, `The upstream ${where} did not answer in time.`, { code: 'upstream_timeout' });
    case 'aborted':
      return clientClosed();
    case 'misconfigured':
      return new GatewayError(500, `Provider ${target.provider.spec.name} is misconfigured: ${redact(failure.message)}`, {
        type: 'server_error',
        code: 'provider_not_configured',
        cause: error,
      });
    case 'unreachable': {
      const detail = error instanceof Error ? `: ${redact(error.message)}` : '';
      return new GatewayError(502, `Could not reach the upstream ${where}${detail}.`, { code: 'upstream_connection_error', cause: error });
    }
    case 'answered':
      return failure.error;
  }
}
