import { scrubText } from '../core/scrub.ts';
import type { GatewayError } from '../errors.ts';

/** The same error with any secret removed from its message (upstream text can echo what it was sent). */
export function scrubError(error: GatewayError, secrets: readonly string[]): GatewayError {
  const message = scrubText(error.message, secrets);
  return message === error.message ? error : error.withMessage(message);
}
