import type { Outcome } from './types.ts';

/** What a request's calls spent together: tokens where any call was counted, dollars where any was priced. */
export interface OutcomeTotals {
  readonly prompt: number;
  readonly cached: number;
  readonly completion: number;
  readonly usd: number;
  /** Whether any call reported (or was given) usage. */
  readonly counted: boolean;
  /** Whether any call had a price. */
  readonly priced: boolean;
  /** Whether any of it was the gateway's own estimate. */
  readonly estimated: boolean;
}

/** The calls of one request summed (a tool loop or /extract makes several): for the log line and the trace. */
export function outcomeTotals(outcomes: readonly Outcome[]): OutcomeTotals {
  let prompt = 0;
  let cached = 0;
  let completion = 0;
  let usd = 0;
  let counted = false;
  let priced = false;
  let estimated = false;
  for (const o of outcomes) {
    if (o.usage) {
      counted = true;
      prompt += o.usage.prompt_tokens;
      cached += o.usage.prompt_tokens_details?.cached_tokens ?? 0;
      completion += o.usage.completion_tokens;
      estimated ||= o.usage.estimated === true;
    }
    if (o.cost) {
      priced = true;
      usd += o.cost.usd;
      estimated ||= o.cost.estimated;
    }
  }
  return { prompt, cached, completion, usd, counted, priced, estimated };
}
