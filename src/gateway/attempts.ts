import { once } from '../core/iteration.ts';
import { asGatewayError } from '../errors.ts';
import { deferred, failedOutcome, tracked } from './outcome.ts';
import { run, type RunAnswer, type RunDeps } from './run.ts';
import type { Attempt, CallModel, GatewayEvent, Outcome } from './types.ts';

const eventsOf = (answer: RunAnswer): AsyncIterable<GatewayEvent> => {
  if (answer.kind === 'stream') return answer.events;
  const { completion, native } = answer;
  return once<GatewayEvent>(native ? { type: 'completion', completion, native } : { type: 'completion', completion });
};

/**
 * The innermost stage: the attempt loop over the model chain (retries, fallbacks, deadline, cooldown).
 * Its outcome lists every attempt, whether the call started or not.
 */
export function attemptLoop(deps: RunDeps): CallModel {
  return (request) => {
    const attempts: Attempt[] = [];
    const outcome = deferred<Outcome>();
    const answer = run(request, deps, attempts).then(
      (started) => ({
        target: started.target,
        attempts,
        cache: 'BYPASS' as const,
        events: tracked(eventsOf(started), request.signal, (status, completion, error) =>
          outcome.resolve({
            status,
            target: started.target,
            attempts,
            completion,
            usage: completion?.usage,
            cost: undefined,
            cache: 'BYPASS',
            error,
          }),
        ),
      }),
      (thrown: unknown) => {
        const error = asGatewayError(thrown, request.requestId);
        const last = attempts.at(-1);
        const target = request.targets.find((t) => t.id === last?.model);
        outcome.resolve(failedOutcome(error, attempts, target));
        throw error;
      },
    );
    return { answer, outcome: outcome.promise };
  };
}
