import type { CallRequest } from '../gateway/types.ts';
import { countChatTokens, exactAllowance } from '../tokens/count-chat.ts';
import type { PriceOverrides } from '../tokens/model-prices.ts';
import { costOf, modelLimits } from '../tokens/prices.ts';
import type { Spend } from './budget-stage.ts';

export interface WorstCaseOptions {
  /** MODEL_PRICES, so custom models are priced as they are billed. */
  readonly overrides?: PriceOverrides;
  /** Output tokens to assume when neither the request nor the model's data bounds them. */
  readonly unboundedOutputTokens: number;
  /** TOKENS_EXACT_MAX_CHARS: characters counted exactly, over the whole chain; an upper bound past them. */
  readonly exactMaxChars?: number;
}

const asCount = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;

/**
 * What a call may cost at most, for the budget stage to reserve: its prompt tokens plus every output token it may
 * ask for (`max_tokens` or `max_completion_tokens`, else the model's output limit, else what its context window
 * leaves), times `n`, priced at the dearest model of its chain (a fallback may cost more than the first choice).
 * A model without a known price reserves no dollars: only MODEL_PRICES can bound the spend on it.
 *
 * @example budgetStage({ ...deps, estimate: (request) => worstCase(request, { overrides, unboundedOutputTokens: 4096 }) })
 */
export async function worstCase(request: CallRequest, options: WorstCaseOptions): Promise<Spend> {
  const { body } = request;
  const asked = Math.max(asCount(body.max_tokens) ?? 0, asCount(body.max_completion_tokens) ?? 0) || undefined;
  const choices = asCount(body.n) ?? 1;
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : undefined;
  let worst: Spend = { tokens: 0, usd: 0 };
  const allowance = options.exactMaxChars === undefined ? undefined : exactAllowance(options.exactMaxChars);
  for (const target of request.targets) {
    const prompt = (await countChatTokens(target.id, body.messages, tools, allowance)).tokens;
    const limits = modelLimits(target.id, options.overrides);
    const room = limits.contextWindow === undefined ? undefined : Math.max(0, limits.contextWindow - prompt);
    const output = (asked ?? limits.maxOutputTokens ?? room ?? options.unboundedOutputTokens) * choices;
    const usd =
      costOf(target.id, { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output }, options.overrides)?.usd ?? 0;
    worst = { tokens: Math.max(worst.tokens, prompt + output), usd: Math.max(worst.usd, usd) };
  }
  return worst;
}
