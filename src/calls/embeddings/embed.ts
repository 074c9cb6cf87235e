// One embeddings call, with what holds for every model call: access, budget, cache, usage and cost, the outcome.
import { roundUsd } from '../../core/money.ts';
import { asGatewayError } from '../../errors.ts';
import { failedOutcome } from '../../gateway/outcome.ts';
import type { Attempt, CacheStatus, Outcome, Usage } from '../../gateway/types.ts';
import type { RequestContext } from '../../http/context.ts';
import { hasLimits, reserveCall, settlement, settleReservation } from '../../limits/budget-stage.ts';
import { checkAccess } from '../../limits/check-access.ts';
import { rateLimitHeaders } from '../../limits/limit-headers.ts';
import { limitsDepsFor } from '../../limits/limits-deps.ts';
import type { ManagedCaller } from '../../limits/lookup-key.ts';
import { callEmbeddings } from '../../providers/embeddings.ts';
import type { Target } from '../../providers/target.ts';
import { costOf } from '../../tokens/prices.ts';
import { decodeEmbeddingsAnswer, type EmbeddingsAnswer } from '../../wire/openai-embeddings/answer.ts';
import { type EmbeddingsRequest, upstreamEmbeddingsBody } from '../../wire/openai-embeddings/request.ts';
import { abortedWithClient } from '../abort.ts';
import { embeddingsCache } from './embeddings-cache.ts';
import { embeddingTarget } from './embedding-target.ts';
import { inputTokens } from './input-tokens.ts';

/** An answered embeddings call: OpenAI's answer (usage always set) and the gateway's headers for it. */
export interface Embedded {
  readonly answer: EmbeddingsAnswer;
  readonly headers: Record<string, string>;
}

const NOTHING_SPENT: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** The gateway's headers for an answer: which model, how many upstream attempts, the cache, tokens and cost. */
function answerHeaders(outcome: Outcome, target: Target, ageSeconds?: number): Record<string, string> {
  return {
    'x-gateway-model': target.id,
    'x-gateway-attempts': String(outcome.attempts.length),
    'x-gateway-cache': outcome.cache,
    ...(ageSeconds === undefined ? {} : { age: String(ageSeconds) }),
    ...(outcome.usage ? { 'x-gateway-prompt-tokens': String(outcome.usage.prompt_tokens) } : {}),
    ...(outcome.cost ? { 'x-gateway-cost-usd': String(roundUsd(outcome.cost.usd)) } : {}),
  };
}

/**
 * Reserves the input's tokens at the model's input rate (an embedding has no output) in the caller's key object;
 * returns the rate-limit headers and the settle to call with the outcome. Anonymous callers and keys without
 * limits cost no object call.
 */
async function reserveInput(rc: RequestContext, target: Target, request: EmbeddingsRequest) {
  const { config, caller } = rc;
  const none = { headers: {}, settle: (_: Outcome) => {} };
  if (!rc.env.LIMITS || caller.keyHash === null || !hasLimits(caller, config.limits)) return none;
  const deps = limitsDepsFor(rc.env, config.limits, () => rc.deps.clock.wallNow());
  const { tokens } = await inputTokens(target.id, request.inputs);
  const usd = costOf(target.id, { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens }, config.tokens.prices)?.usd ?? 0;
  const reservation = await reserveCall(deps, caller, rc.requestId, { tokens, usd });
  if (!reservation) return none;
  const { keyHash } = caller;
  return {
    headers: rateLimitHeaders(reservation.limits.requests, reservation.limits.tokens),
    settle: (outcome: Outcome) =>
      rc.exec.waitUntil(settleReservation(deps, keyHash, reservation.reservationId, settlement(outcome, reservation.reserved))),
  };
}

/** One upstream call, aborted when the client goes away; its attempt is recorded whichever way it ends. */
async function askUpstream(rc: RequestContext, target: Target, request: EmbeddingsRequest, attempts: Attempt[]): Promise<EmbeddingsAnswer> {
  const controller = abortedWithClient(rc);
  const { clock } = rc.deps;
  const started = clock.now();
  try {
    const body = upstreamEmbeddingsBody(request, target.model);
    const raw = await callEmbeddings({
      target,
      body,
      signal: controller.signal,
      timeoutMs: rc.config.resilience.timeoutMs,
      fetch: rc.deps.fetch,
    });
    const answer = decodeEmbeddingsAnswer(raw, request.inputs.length, request.encoding_format, target.model);
    attempts.push({ model: target.id, status: 200, ms: Math.round(clock.now() - started) });
    return answer;
  } catch (thrown) {
    const error = asGatewayError(thrown, rc.requestId);
    attempts.push({ model: target.id, status: error.status, error: error.code ?? error.type, ms: Math.round(clock.now() - started) });
    throw error;
  }
}

/** The upstream's usage; where it reported none, the gateway's count of the input, marked estimated when it is one. */
async function usageOf(answer: EmbeddingsAnswer, target: Target, request: EmbeddingsRequest): Promise<Usage> {
  if (answer.usage) return { prompt_tokens: answer.usage.prompt_tokens, completion_tokens: 0, total_tokens: answer.usage.total_tokens };
  const { tokens, estimated } = await inputTokens(target.id, request.inputs);
  return { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, ...(estimated ? { estimated } : {}) };
}

/**
 * Embeds a checked request: the model's provider must serve embeddings and a managed key may be bound to models
 * (both before any upstream call); a key with limits reserves the input's tokens and settles to the upstream's
 * usage; the answer is cached in KV under the same controls as chat, every request counting as deterministic (a
 * hit costs $0). The client going away aborts the upstream call; the outcome feeds the log line on every exit.
 */
export async function embed(rc: RequestContext, request: EmbeddingsRequest): Promise<Embedded> {
  const target = embeddingTarget(request.model, rc.config);
  if ('record' in rc.caller) checkAccess((rc.caller as ManagedCaller).record, { models: [target.id] });
  rc.log.stream = false;
  const attempts: Attempt[] = [];
  // BYPASS until the cache is looked at (a refused request never reaches it).
  let cache: CacheStatus = 'BYPASS';
  let settle = (_: Outcome) => {};
  const ended = (outcome: Omit<Outcome, 'target' | 'attempts' | 'completion' | 'cache' | 'error'>): Outcome => {
    const whole: Outcome = { ...outcome, target, attempts, completion: undefined, cache, error: undefined };
    settle(whole);
    return whole;
  };

  const work = (async () => {
    const reservation = await reserveInput(rc, target, request);
    settle = reservation.settle;
    const store = await embeddingsCache(rc, target, upstreamEmbeddingsBody(request, target.model));
    if (store) {
      cache = 'MISS';
      const hit = await store.read();
      if (hit) {
        cache = 'HIT';
        const outcome = ended({ status: 'ok', usage: NOTHING_SPENT, cost: { usd: 0, estimated: false } });
        return { outcome, answer: hit.answer, headers: { ...reservation.headers, ...answerHeaders(outcome, target, hit.ageSeconds) } };
      }
    }
    const answer = await askUpstream(rc, target, request, attempts);
    const usage = await usageOf(answer, target, request);
    const whole: EmbeddingsAnswer = { ...answer, usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.total_tokens } };
    const outcome = ended({ status: 'ok', usage, cost: costOf(target.id, usage, rc.config.tokens.prices) });
    store?.write(whole);
    return { outcome, answer: whole, headers: { ...reservation.headers, ...answerHeaders(outcome, target) } };
  })();

  rc.outcomes.push(
    work.then(
      (done) => done.outcome,
      (thrown: unknown) => {
        const outcome = failedOutcome(asGatewayError(thrown, rc.requestId), attempts, target, cache);
        settle(outcome);
        return outcome;
      },
    ),
  );
  const { answer, headers } = await work;
  return { answer, headers };
}
