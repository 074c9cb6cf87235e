import type { CallRequest } from '../gateway/types.ts';
import { maxOutputTokens } from '../providers/model-catalog.ts';
import { countChatTokens, exactAllowance } from '../tokens/count-chat.ts';
import { askedOutputTokens } from '../tokens/max-tokens.ts';
import type { PriceOverrides } from '../tokens/model-prices.ts';
import { costOf, modelLimits } from '../tokens/prices.ts';
import type { CallBound } from './key-limits-rpc.ts';

export interface CallBoundOptions {
  /** MODEL_PRICES, so custom models are priced as they are billed. */
  readonly overrides?: PriceOverrides;
  /** Output tokens per choice when the request names no limit: DEFAULT_MAX_TOKENS, else 4096. */
  readonly defaultOutputTokens: number;
  /** BUDGET_MIN_OUTPUT_TOKENS: the shortest answer worth sending when the budget must narrow the output. */
  readonly minOutputTokens: number;
  /** TOKENS_EXACT_MAX_CHARS: characters counted exactly, over the whole chain; an upper bound past them. */
  readonly exactMaxChars?: number;
}

const asCount = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

/**
 * What a call may cost at most, for the budget stage to reserve: its prompt (the tokenizer's count, priced at the
 * input rate) plus the output it can actually produce: its `max_tokens`/`max_completion_tokens`, else the default,
 * never more than the model's output limit or what its context window leaves, times `n`. A fallback chain is
 * bounded by its largest prompt and its dearest rates (a fallback may cost more than the first choice). The output
 * part is separate, so the key's object can narrow it to what the budget still pays for. A model without a known
 * price reserves no dollars: only MODEL_PRICES can bound the spend on it.
 *
 * @example await callBound(request, { overrides, defaultOutputTokens: 4096, minOutputTokens: 256 })
 * // { tokens: 12, usd: 0.00003, output: { tokens: 4096, min: 256, choices: 1, usdPerToken: 0.00001 } }
 */
export async function callBound(request: CallRequest, options: CallBoundOptions): Promise<CallBound> {
  const { body } = request;
  const choices = asCount(body.n) ?? 1;
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : undefined;
  let output = askedOutputTokens(body) ?? options.defaultOutputTokens;
  let promptTokens = 0;
  let promptUsd = 0;
  let usdPerToken = 0;
  const allowance = options.exactMaxChars === undefined ? undefined : exactAllowance(options.exactMaxChars);
  for (const target of request.targets) {
    const prompt = (await countChatTokens(target.id, body.messages, tools, allowance)).tokens;
    const limits = modelLimits(target.id, options.overrides);
    const ceiling = limits.maxOutputTokens ?? maxOutputTokens(target.model);
    if (ceiling !== undefined) output = Math.min(output, ceiling);
    if (limits.contextWindow !== undefined) output = Math.min(output, Math.max(1, limits.contextWindow - prompt));
    const promptCost = costOf(target.id, { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt }, options.overrides);
    // The output rate at this prompt's tier: what a million output tokens add to the prompt's cost.
    const withOutput = costOf(target.id, { prompt_tokens: prompt, completion_tokens: 1e6, total_tokens: prompt + 1e6 }, options.overrides);
    promptTokens = Math.max(promptTokens, prompt);
    promptUsd = Math.max(promptUsd, promptCost?.usd ?? 0);
    usdPerToken = Math.max(usdPerToken, withOutput && promptCost ? (withOutput.usd - promptCost.usd) / 1e6 : 0);
  }
  return {
    tokens: promptTokens,
    usd: promptUsd,
    output: { tokens: output, min: Math.min(options.minOutputTokens, output), choices, usdPerToken },
  };
}
