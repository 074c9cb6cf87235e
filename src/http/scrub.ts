import { scrubText } from '../core/scrub.ts';
import { GatewayError } from '../errors.ts';

export { scrubText };

/** The same error with any secret removed from its message (upstream text can echo what it was sent). */
export function scrubError(error: GatewayError, secrets: readonly string[]): GatewayError {
  const message = scrubText(error.message, secrets);
  if (message === error.message) return error;
  return new GatewayError(error.status, message, {
    type: error.type,
    upstreamCode: error.code,
    param: error.param,
    headers: error.headers,
    cause: error.cause,
  });
}
