import { ITERATION_DONE } from '../core/iteration.ts';
import type { CallLimits } from '../core/limit-state.ts';
import { asGatewayError, GatewayError } from '../errors.ts';
import type { Call, Caller, CallRequest, GatewayEvent, Outcome, Stage } from '../gateway/types.ts';
import { askedOutputTokens, maxTokensField } from '../tokens/max-tokens.ts';
import type { CallBound, Granted } from './key-limits-rpc.ts';
import { staticRecord } from './key-record.ts';
import { keyObject, type LimitsDeps } from './limits-deps.ts';
import { limitUnavailable } from './limit-unavailable.ts';
import { refusal } from './refusal.ts';

/** What a call spent (or may spend): tokens and US dollars. */
export interface Spend {
  readonly tokens: number;
  readonly usd: number;
}

export interface BudgetDeps extends LimitsDeps {
  /** A request's bound: its prompt exactly, and the output it may produce (which the key's object may narrow). */
  readonly estimate: (request: CallRequest) => CallBound | Promise<CallBound>;
  /** How often a running stream asks whether its key was revoked meanwhile (ms); default 5 s. */
  readonly revocationCheckMs?: number;
}

const NOTHING: Spend = { tokens: 0, usd: 0 };
/** Prompts longer than this (in JSON characters) are counted only after a cheap check that the key may call at all. */
const PRECHECK_ABOVE_CHARS = 32_768;
const REVOCATION_CHECK_MS = 5_000;

/**
 * What a finished call spent: the outcome's usage and cost; nothing for a cache hit or a call that failed before
 * any answer; what was reserved where something was answered but its usage or cost is unknown.
 */
export function settlement(outcome: Outcome, reserved: Spend): Spend {
  if (outcome.cache === 'HIT') return NOTHING;
  const answered = outcome.status !== 'error' || outcome.completion !== undefined || outcome.usage !== undefined;
  return {
    tokens: outcome.usage?.total_tokens ?? (answered ? reserved.tokens : 0),
    usd: outcome.cost?.usd ?? (answered ? reserved.usd : 0),
  };
}

/** The body with its output limit narrowed to `tokens` per choice, in the fields it uses (else the model family's). */
function narrowed(request: CallRequest, tokens: number): CallRequest {
  const body = { ...request.body };
  const fields = (['max_tokens', 'max_completion_tokens'] as const).filter((f) => typeof body[f] === 'number');
  for (const field of fields.length > 0 ? fields : [maxTokensField(request.targets[0].model)]) body[field] = tokens;
  return { ...request, body };
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

/** A call's reservation as its key's object granted it. */
export type Reservation = Granted;

/** The object unreachable: fail closed (503), or let the call through unlimited (null) with LIMITS_FAIL_OPEN. */
const unreachable =
  (settings: LimitsDeps['settings']) =>
  (error: unknown): null => {
    if (settings.failOpen) return null;
    throw limitUnavailable(error);
  };

/**
 * Reserves a call's bound in its key's object before the call: the reservation, or null when the object cannot be
 * reached and LIMITS_FAIL_OPEN lets the call through unlimited (or the caller is anonymous). A refusal is thrown (429 with what is left, 401
 * for a key no longer valid), as is a 503 when limits fail closed.
 */
export async function reserveCall(deps: LimitsDeps, caller: Caller, requestId: string, bound: CallBound): Promise<Reservation | null> {
  if (caller.keyHash === null) return null;
  const result = await keyObject(deps, caller.keyHash)
    .reserve({
      requestId,
      ...bound,
      now: deps.now(),
      ttlMs: deps.settings.reservationTtlMs,
      fallback: staticRecord(deps.settings.staticLimits),
    })
    .catch(unreachable(deps.settings));
  if (result === null || result.ok) return result;
  throw refusal(result);
}

/** Replaces a reservation by what was spent. Never rejects: a settle that fails leaves the reservation to expire on its own. */
export function settleReservation(deps: Pick<LimitsDeps, 'keys'>, keyHash: string, reservationId: string, spent: Spend): Promise<void> {
  return keyObject(deps, keyHash)
    .settle(reservationId, spent)
    .then(
      () => undefined,
      () => undefined,
    );
}

/** Whether a caller has anything to count against: a managed key, or a static key when some KEY_* limit is set. */
export function hasLimits(caller: Caller, settings: BudgetDeps['settings']): boolean {
  if (caller.keyHash === null) return false;
  return 'record' in caller || Object.values(settings.staticLimits).some((limit) => limit !== null);
}

/**
 * Reserves a call's bound in its key's Durable Object before the call, narrowing its output limit to what the
 * budget still pays for, and settles the reservation to what the outcome says was spent on every exit (ok, error,
 * aborted, cache hit). A managed key's stream asks now and then whether the key was revoked, and ends with an
 * error event if it was. Anonymous calls pass through.
 *
 * @example const callModel = [toolLoop, budgetStage({ keys: env.LIMITS, settings, now: Date.now, estimate }), usageStage].reduceRight((next, stage) => stage(next), run);
 */
export function budgetStage(deps: BudgetDeps): Stage {
  const checkEveryMs = deps.revocationCheckMs ?? REVOCATION_CHECK_MS;
  return (next) =>
    (request): Call => {
      const keyHash = request.caller.keyHash;
      if (keyHash === null) return next(request);
      const stub = keyObject(deps, keyHash);
      const settle = (reservationId: string, spent: Spend) => settleReservation(deps, keyHash, reservationId, spent);

      const started = (async () => {
        // Counting a long prompt is real work: a key that may not call at all is refused before it.
        if (JSON.stringify(request.body.messages).length > PRECHECK_ABOVE_CHARS) {
          const early = await stub.check(deps.now(), staticRecord(deps.settings.staticLimits)).catch(unreachable(deps.settings));
          if (early) throw refusal(early);
        }
        const bound = await deps.estimate(request);
        const result = await reserveCall(deps, request.caller, request.requestId, bound);
        if (result === null) return { call: next(request), limits: undefined, reservationId: null, reserved: NOTHING };
        // The output the bound assumed (asked, or the default): narrowed below it, the response says so; a request
        // that named no limit is sent with the one it was reserved for, so the upstream cannot spend past it.
        const assumed = bound.output?.tokens;
        const asked = askedOutputTokens(request.body);
        const granted = result.outputTokens;
        const narrow = granted !== null && (asked === undefined || granted < asked);
        // Said from what the request asked, else from the default it was bounded by.
        const from = asked ?? assumed;
        const limits: CallLimits =
          granted !== null && from !== undefined && granted < from
            ? {
                ...result.limits,
                clamped: { from, to: granted, reason: assumed !== undefined && granted < assumed ? 'budget' : 'model_limit' },
              }
            : result.limits;
        const reservationId = result.reservationId;
        try {
          const sent = narrow ? narrowed(request, granted as number) : request;
          return {
            call: watchRevocation(next(sent), request, stub, deps.now, checkEveryMs),
            limits,
            reservationId,
            reserved: result.reserved,
          };
        } catch (error) {
          request.waitUntil(settle(reservationId, NOTHING));
          throw error;
        }
      })();

      return {
        // The answer carries the limits it was reserved under, for the response's headers.
        answer: started.then((s) => s.call.answer.then((answer) => (s.limits ? { ...answer, limits: s.limits } : answer))),
        outcome: started.then(
          async (s) => {
            const outcome = await s.call.outcome;
            // Settling never delays the outcome (the log line); until it lands, the reservation stays held.
            if (s.reservationId !== null) request.waitUntil(settle(s.reservationId, settlement(outcome, s.reserved)));
            return outcome;
          },
          (error: unknown) => refusedOutcome(asGatewayError(error)),
        ),
      };
    };
}

type KeyStub = ReturnType<typeof keyObject>;

/**
 * A stream of a managed key asks its object, at most every `everyMs` and without holding any chunk back, whether
 * the key is still usable; once it hears it was revoked or has expired, the next chunk is an error instead.
 */
function watchRevocation(call: Call, request: CallRequest, stub: KeyStub, now: () => number, everyMs: number): Call {
  if (!request.stream || !('record' in request.caller)) return call;
  const answer = call.answer.then((a) => {
    const source = a.events[Symbol.asyncIterator]();
    let nextCheckAt = now() + everyMs;
    let asking = false;
    let refused: GatewayError | null = null;
    const events: AsyncIterableIterator<GatewayEvent> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => {
        if (refused) {
          const error = refused;
          refused = null;
          void source.return?.();
          return Promise.reject(error);
        }
        if (!asking && now() >= nextCheckAt) {
          asking = true;
          stub.unusable(now()).then(
            (reason) => {
              asking = false;
              nextCheckAt = now() + everyMs;
              if (reason) refused = new GatewayError(401, `This gateway key was ${reason} during the stream.`, { code: 'invalid_api_key' });
            },
            () => {
              asking = false;
              nextCheckAt = now() + everyMs;
            },
          );
        }
        return source.next();
      },
      return: () => source.return?.() ?? Promise.resolve(ITERATION_DONE),
    };
    return { ...a, events };
  });
  return { answer, outcome: call.outcome };
}
