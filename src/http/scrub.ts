import { GatewayError } from '../errors.ts';

/** Replaces every configured secret's exact value in a text that is about to leave the gateway (a response, a log line). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/** The same error with any secret removed from its message (upstream text can echo what it was sent). */
export function scrubError(error: GatewayError, secrets: readonly string[]): GatewayError {
  const message = scrubText(error.message, secrets);
  if (message === error.message) return error;
  return new GatewayError(error.status, message, { type: error.type, upstreamCode: error.code, param: error.param, headers: error.headers, cause: error.cause });
}
