import { APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { Target } from '../target.ts';
import type { SdkFailure } from '../upstream-error.ts';
import { anthropicError } from './errors.ts';

/** What an error of the Anthropic SDK (or anything else an Anthropic attempt threw) means for the gateway. */
export function anthropicFailure(error: unknown, target: Target): SdkFailure {
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIUserAbortError) return { kind: 'aborted' };
  if (error instanceof APIError && error.status !== undefined)
    return { kind: 'answered', error: anthropicError(error.status, error.error, error.headers, target) };
  return { kind: 'unreachable' };
}
