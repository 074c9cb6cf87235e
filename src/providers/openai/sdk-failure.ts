import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import type { Target } from '../target.ts';
import { fromUpstreamBody, type SdkFailure } from '../upstream-error.ts';

/** What an error of the openai SDK (or anything else an OpenAI-wire attempt threw) means for the gateway. */
export function openAiFailure(error: unknown, target: Target): SdkFailure {
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIUserAbortError) return { kind: 'aborted' };
  if (error instanceof OpenAIError && !(error instanceof APIError)) return { kind: 'misconfigured', message: error.message };
  if (error instanceof APIConnectionError || !(error instanceof APIError)) return { kind: 'unreachable' };
  const status = error.status ?? 502;
  const body = error.error ?? { message: error.message.replace(/^\d{3}\s+/, '') };
  return { kind: 'answered', error: fromUpstreamBody(status, { error: body }, error.headers, target) };
}
