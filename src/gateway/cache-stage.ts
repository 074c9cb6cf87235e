import { once } from '../core/iteration.ts';
import { cacheKey } from '../cache/cache-key.ts';
import { notCacheable } from '../cache/cache-policy.ts';
import { ResponseCache } from '../cache/response-cache.ts';
import type { SingleFlight } from '../cache/single-flight.ts';
import type { ChatCompletion } from '../core/types.ts';
import type { Target } from '../providers/target.ts';
import type { Clock } from './clock.ts';
import { collectCompletion } from './collect.ts';
import { deferred, failedOutcome } from './outcome.ts';
import type { Answer, Attempt, CallModel, CallRequest, GatewayEvent, Outcome, Stage } from './types.ts';
import { asGatewayError } from '../errors.ts';

/** What one shared (single-flight) call gives every caller that joined it. */
export interface SharedAnswer {
  readonly target: Target;
  readonly attempts: readonly Attempt[];
  readonly completion: ChatCompletion;
  readonly outcome: Outcome;
}

export interface CacheStageDeps {
  readonly kv: KVNamespace | undefined;
  readonly singleFlight: SingleFlight<SharedAnswer>;
  readonly clock: Clock;
  readonly log: (line: Record<string, unknown>) => void;
}

/** A cache hit spent nothing. */
const NOTHING_SPENT = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } as const;

function answered(
  target: Target,
  completion: ChatCompletion,
  cache: 'HIT' | 'MISS',
  attempts: readonly Attempt[],
  ageSeconds?: number,
): Answer {
  return {
    target,
    attempts,
    cache,
    ...(ageSeconds === undefined ? {} : { ageSeconds }),
    events: once<GatewayEvent>({ type: 'completion', completion }),
  };
}

/** The outcome of an answer served without an upstream call of its own: a hit, or a joined single flight. */
function servedOutcome(target: Target, completion: ChatCompletion): Outcome {
  return {
    status: 'ok',
    target,
    attempts: [],
    completion,
    usage: NOTHING_SPENT,
    cost: { usd: 0, estimated: false },
    cache: 'HIT',
    error: undefined,
  };
}

/**
 * The response cache as a stage: a hit is answered from KV; identical non-stream misses in flight share
 * one upstream call (which belongs to no one client: the first caller hanging up must not fail the
 * others; the deadline still bounds it); a fresh answer that ended well is stored after the client has it.
 */
export function cacheStage(deps: CacheStageDeps): Stage {
  return (next: CallModel) => (request: CallRequest) => {
    const asked = request.cache;
    if (!asked || !deps.kv) return next(request);
    const store = new ResponseCache(deps.kv);
    const outcome = deferred<Outcome>();
    const save = (key: string, completion: ChatCompletion, model: string) => {
      if (!asked.policy.write) return;
      const reason = notCacheable(completion, asked.policy);
      const write = reason
        ? Promise.resolve(reason)
        : store.put(key, { completion, model, storedAt: deps.clock.wallNow() }, asked.policy.ttl);
      request.waitUntil(
        write.then(
          (skipped) => skipped && deps.log({ event: 'cache_skip', request_id: request.requestId, reason: skipped }),
          (error: unknown) => deps.log({ event: 'cache_write_failed', request_id: request.requestId, error: String(error) }),
        ),
      );
    };
    const answer = (async (): Promise<Answer> => {
      const [primary] = request.targets;
      const key = await cacheKey(asked.scope, primary.id, request.body);
      if (asked.policy.read) {
        const hit = await store.get(key);
        if (hit) {
          const target = request.targets.find((t) => t.id === hit.model) ?? primary;
          outcome.resolve(servedOutcome(target, hit.completion));
          return answered(target, hit.completion, 'HIT', [], Math.max(0, Math.floor((deps.clock.wallNow() - hit.storedAt) / 1000)));
        }
      }
      if (request.stream) {
        const call = next(request);
        void call.outcome.then((o) => {
          if (o.status === 'ok' && o.completion && o.target) save(key, o.completion, o.target.id);
          outcome.resolve({ ...o, cache: 'MISS' });
        });
        return { ...(await call.answer), cache: 'MISS' };
      }
      const flight = deps.singleFlight.run(key, async () => {
        const call = next({ ...request, signal: new AbortController().signal });
        const started = await call.answer;
        const completion = await collectCompletion(started);
        return { target: started.target, attempts: started.attempts, completion, outcome: await call.outcome };
      });
      let shared: SharedAnswer;
      try {
        shared = await flight.result;
      } catch (thrown) {
        const error = asGatewayError(thrown, request.requestId);
        outcome.resolve(failedOutcome(error, [], undefined, flight.joined ? 'HIT' : 'MISS'));
        throw error;
      }
      if (flight.joined) {
        outcome.resolve(servedOutcome(shared.target, shared.completion));
        return answered(shared.target, shared.completion, 'HIT', []);
      }
      save(key, shared.completion, shared.target.id);
      outcome.resolve({ ...shared.outcome, cache: 'MISS' });
      return answered(shared.target, shared.completion, 'MISS', shared.attempts);
    })();
    // A failure before the cache decided (a KV error) still ends in one outcome.
    answer.catch((thrown: unknown) => outcome.resolve(failedOutcome(asGatewayError(thrown, request.requestId), [], undefined, 'MISS')));
    return { answer, outcome: outcome.promise };
  };
}
