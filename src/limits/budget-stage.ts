import { asGatewayError, GatewayError } from '../errors.ts';
import type { Call, Caller, CallRequest, Outcome, Stage } from '../gateway/types.ts';
import type { ReserveResult } from './key-limits.ts';
import { staticRecord } from './key-record.ts';
import { keyObject, type LimitsDeps } from './limits-deps.ts';
import { limitUnavailable } from './limit-unavailable.ts';

/** What a call may cost at most: its prompt tokens plus the output it may ask for, priced. */
export interface Spend {
  readonly tokens: number;
  readonly usd: number;
}

export interface BudgetDeps extends LimitsDeps {
  /** The worst case of a request (estimated prompt tokens + its max output tokens, priced at the target's price). */
  readonly estimate: (request: CallRequest) => Spend | Promise<Spend>;
}

const NOTHING: Spend = { tokens: 0, usd: 0 };

// The headers of the latest reservation made for a caller (one Caller object per HTTP request), for the response.
const headersByCaller = new WeakMap<Caller, Record<string, string>>();

/** The `x-ratelimit-*` headers the budget stage got for this request's caller; add them to the response. */
export const limitHeaders = (caller: Caller): Record<string, string> => headersByCaller.get(caller) ?? {};

/**
 * What a finished call spent: the outcome's usage and cost; nothing for a cache hit or a call that failed before
 * any answer; the reserved worst case where something was answered but its usage or cost is unknown.
 */
export function settlement(outcome: Outcome, reserved: Spend): Spend {
  if (outcome.cache === 'HIT') return NOTHING;
  const answered = outcome.status !== 'error' || outcome.completion !== undefined || outcome.usage !== undefined;
  return {
    tokens: outcome.usage?.total_tokens ?? (answered ? reserved.tokens : 0),
    usd: outcome.cost?.usd ?? (answered ? reserved.usd : 0),
  };
}

/** The error a refused reservation becomes: 429 with Retry-After for a limit, 401 for a key no longer valid. */
export function refusal(result: Extract<ReserveResult, { ok: false }>): GatewayError {
  const headers = result.headers;
  switch (result.limit) {
    case 'revoked':
    case 'expired':
    case 'unknown_key':
      return new GatewayError(401, `This gateway key is ${result.limit === 'unknown_key' ? 'unknown' : result.limit}.`, {
        code: 'invalid_api_key',
        headers,
      });
    case 'requests_per_minute':
      return new GatewayError(
        429,
        `Rate limit reached for this gateway key (requests per minute); retry in ${result.retryAfterSeconds} s.`,
        { code: 'limit_exceeded', headers },
      );
    case 'tokens_per_day':
      return new GatewayError(
        429,
        `This gateway key's tokens per day would be exceeded by this request's worst case; retry in ${result.retryAfterSeconds} s, or ask for fewer max tokens.`,
        { code: 'limit_exceeded', headers },
      );
    case 'usd_per_day':
    case 'usd_per_month':
      return new GatewayError(
        429,
        `This gateway key's spending limit (${result.limit === 'usd_per_day' ? 'US dollars per day' : 'US dollars per month'}) would be exceeded by this request's worst case; retry in ${result.retryAfterSeconds} s.`,
        { code: 'budget_exceeded', headers },
      );
  }
}

const refusedOutcome = (error: GatewayError): Outcome => ({
  status: 'error',
  target: undefined,
  attempts: [],
  completion: undefined,
  usage: undefined,
  cost: undefined,
  cache: 'BYPASS',
  error,
});

/** Whether a caller has anything to count against: a managed key, or a static key when some KEY_* limit is set. */
export function hasLimits(caller: Caller, settings: BudgetDeps['settings']): boolean {
  if (caller.keyHash === null) return false;
  return 'record' in caller || Object.values(settings.staticLimits).some((limit) => limit !== null);
}

/**
 * Reserves a call's worst case in its key's Durable Object before the call, and settles the reservation to what
 * the outcome says was spent on every exit (ok, error, aborted, cache hit). Anonymous calls pass through.
 *
 * @example const callModel = [toolLoop, budgetStage({ keys: env.LIMITS, settings, now: Date.now, estimate }), usageStage].reduceRight((next, stage) => stage(next), run);
 */
export function budgetStage(deps: BudgetDeps): Stage {
  return (next) =>
    (request): Call => {
      const keyHash = request.caller.keyHash;
      if (keyHash === null) return next(request);
      const stub = keyObject(deps, keyHash);
      // A settle that fails leaves the reservation to expire on its own; the outcome never rejects.
      const settle = (reservationId: string, spent: Spend) =>
        stub.settle(reservationId, spent).then(
          () => undefined,
          () => undefined,
        );

      const started = (async () => {
        const worst = await deps.estimate(request);
        let result: ReserveResult;
        try {
          result = await stub.reserve({
            requestId: request.requestId,
            tokens: worst.tokens,
            usd: worst.usd,
            now: deps.now(),
            ttlMs: deps.settings.reservationTtlMs,
            fallback: staticRecord(deps.settings.staticLimits),
          });
        } catch (error) {
          if (deps.settings.failOpen) return { call: next(request), reservationId: null, worst };
          throw limitUnavailable(error);
        }
        headersByCaller.set(request.caller, result.headers);
        if (!result.ok) throw refusal(result);
        const reservationId = result.reservationId;
        try {
          return { call: next(request), reservationId, worst };
        } catch (error) {
          request.waitUntil(settle(reservationId, NOTHING));
          throw error;
        }
      })();

      return {
        answer: started.then((s) => s.call.answer),
        outcome: started.then(
          async (s) => {
            const outcome = await s.call.outcome;
            // Settling never delays the outcome (the log line); until it lands, the worst case stays held.
            if (s.reservationId !== null) request.waitUntil(settle(s.reservationId, settlement(outcome, s.worst)));
            return outcome;
          },
          (error: unknown) => refusedOutcome(asGatewayError(error)),
        ),
      };
    };
}
