import type { ChatCompletion, JsonObject } from '../core/types.ts';
import { collectAnswer } from '../gateway/collect.ts';
import type { Answer } from '../gateway/types.ts';
import { callLimitHeaders } from '../limits/limit-headers.ts';
import { gatewayHeaders, usageHeaders } from './answer-headers.ts';
import type { StartedCall } from './start-call.ts';

/**
 * A non-stream answer: the started answer, the whole completion it adds up to, the answer's headers, and the
 * provider's own answer when the call asked for it (`native`) and got it.
 */
export async function completeCall(
  started: StartedCall,
): Promise<{ answer: Answer; completion: ChatCompletion; headers: Record<string, string>; native?: JsonObject }> {
  const answer = await started.call.answer;
  const { completion, native } = await collectAnswer(answer);
  const outcome = await started.call.outcome;
  return {
    answer,
    completion,
    ...(native ? { native } : {}),
    // Read once the call has ended: a tool loop's answer reports the limits of its latest step.
    headers: { ...gatewayHeaders(answer), ...started.headers, ...callLimitHeaders(answer.limits), ...usageHeaders(outcome) },
  };
}
