import { roundUsd } from '../core/money.ts';
import type { Answer, Outcome } from '../gateway/types.ts';

/** Tokens and cost of a finished call, as response headers. */
export function usageHeaders(outcome: Outcome): Record<string, string> {
  if (!outcome.usage) return {};
  return {
    'x-gateway-prompt-tokens': String(outcome.usage.prompt_tokens),
    'x-gateway-completion-tokens': String(outcome.usage.completion_tokens),
    ...(outcome.cost ? { 'x-gateway-cost-usd': String(roundUsd(outcome.cost.usd)) } : {}),
  };
}

/** Headers every model answer carries: which model answered, after how many upstream attempts, and what the cache did. */
export function gatewayHeaders(answer: Answer): Record<string, string> {
  return {
    'x-gateway-model': answer.target.id,
    'x-gateway-attempts': String(answer.attempts.length),
    'x-gateway-cache': answer.cache,
    ...(answer.ageSeconds !== undefined ? { age: String(answer.ageSeconds) } : {}),
  };
}
