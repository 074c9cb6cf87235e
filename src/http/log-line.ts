import { roundUsd } from '../core/money.ts';
import type { Outcome } from '../gateway/types.ts';
import { outcomeTotals } from '../gateway/outcome-totals.ts';
import type { RequestStart } from './context.ts';
import { scrubText } from '../core/scrub.ts';

/** The fields the call outcomes give the log line: who answered, every attempt, tokens and cost spent, what the cache did. */
function outcomeFields(outcomes: readonly Outcome[]): Record<string, unknown> {
  const last = outcomes.at(-1);
  if (!last) return {};
  const { prompt, cached, completion, usd, counted, priced, estimated } = outcomeTotals(outcomes);
  return {
    ...(last.target ? { provider: last.target.provider.spec.name, model: last.target.id } : {}),
    cache: last.cache,
    // Trace fields (at, spanId) are the spans'; the log keeps what each attempt did.
    attempts: outcomes.flatMap((o) =>
      o.attempts.map(({ model, status, error, ms }) => ({ model, status, ...(error === undefined ? {} : { error }), ms })),
    ),
    ...(counted ? { prompt_tokens: prompt, cached_tokens: cached, completion_tokens: completion } : {}),
    ...(priced ? { cost_usd: roundUsd(usd) } : {}),
    ...(estimated ? { cost_estimated: true } : {}),
    ...(outcomes.length > 1 ? { calls: outcomes.length } : {}),
    ...toolLoopFields(last),
  };
}

/** What the tool loop did, from its report on the outcome: steps taken, and whether the iteration bound stopped it. */
function toolLoopFields({ loop }: Outcome): Record<string, unknown> {
  if (!loop) return {};
  return { tool_iterations: loop.iterations, ...(loop.maxIterationsReached ? { tool_bound_hit: true } : {}) };
}

/**
 * Writes the one structured log line of a request, from its route facts and its call outcomes, and returns it
 * (scrubbed) for the request log. Never includes keys, tokens or the query string.
 */
export function writeLogLine(rc: RequestStart, method: string, status: number, outcomes: readonly Outcome[]): string {
  const last = outcomes.at(-1);
  // A stream that failed or was abandoned after it started carries its error only in its outcome.
  const streamError = rc.streamed && last?.error ? { error_type: last.error.type, error_code: last.error.code ?? undefined } : {};
  const line = {
    at: new Date(rc.deps.clock.wallNow()).toISOString(),
    request_id: rc.requestId,
    method,
    ...rc.log,
    ...outcomeFields(outcomes),
    ...streamError,
    status,
    latency_ms: Math.round((rc.deps.clock.now() - rc.startedAt) * 100) / 100,
  };
  const text = scrubText(JSON.stringify(line), rc.config?.secrets ?? []);
  console.log(text);
  return text;
}
