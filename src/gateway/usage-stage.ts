import type { ChatBody } from '../core/types.ts';
import { exactAllowance } from '../tokens/count-chat.ts';
import { estimateUsage } from '../tokens/estimate-usage.ts';
import type { PriceOverrides } from '../tokens/model-prices.ts';
import { costOf } from '../tokens/prices.ts';
import type { Outcome, Stage, Usage } from './types.ts';

/**
 * Usage and cost onto every outcome. The upstream's own usage when it reported one (cached, cache-write,
 * reasoning and audio tokens priced at their own rates); otherwise, when anything was sent upstream and may
 * be billed (a stream the client aborted, one that failed mid-way, a provider that never reports usage),
 * the tokenizer's count of what was sent and received, marked estimated (exactly up to `exactMaxChars`
 * characters, TOKENS_EXACT_MAX_CHARS). Cache hits cost nothing.
 */
export function usageStage(prices: PriceOverrides, exactMaxChars: number): Stage {
  return (next) => (request) => {
    const call = next(request);
    return { answer: call.answer, outcome: call.outcome.then((outcome) => priced(outcome, request.body, prices, exactMaxChars)) };
  };
}

async function priced(outcome: Outcome, body: ChatBody, prices: PriceOverrides, exactMaxChars: number): Promise<Outcome> {
  const target = outcome.target;
  if (outcome.cache === 'HIT' || !target) return outcome;
  // Nothing reached a model: an error before any answer started, with no attempt the upstream accepted.
  const reachedModel = outcome.completion !== undefined || outcome.attempts.some((a) => a.status === 200);
  if (!reachedModel) return outcome;
  const usage: Usage =
    outcome.usage ??
    (await estimateUsage(
      target.id,
      body.messages,
      Array.isArray(body['tools']) ? body['tools'] : undefined,
      outcome.completion,
      exactAllowance(exactMaxChars),
    ));
  const cost = costOf(target.id, usage, prices);
  return { ...outcome, usage, cost: cost ? { usd: cost.usd, estimated: cost.estimated || usage.estimated === true } : outcome.cost };
}
