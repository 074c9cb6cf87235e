import { ITERATION_DONE } from '../core/iteration.ts';
import type { ChatCompletion } from '../core/types.ts';
import { abortReason, asGatewayError, type GatewayError } from '../errors.ts';
import type { Target } from '../providers/target.ts';
import { ChunkAccumulator } from '../stream/accumulate.ts';
import type { Attempt, CacheStatus, GatewayEvent, Outcome } from './types.ts';

/** A promise with its resolver, for outcomes that settle once, from wherever the call ends. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The outcome of a call that ended before its answer started. */
export function failedOutcome(
  error: GatewayError,
  attempts: readonly Attempt[],
  target: Target | undefined,
  cache: CacheStatus = 'BYPASS',
): Outcome {
  const aborted = error.is('client_closed_request');
  return {
    status: aborted ? 'aborted' : 'error',
    target,
    attempts,
    completion: undefined,
    usage: undefined,
    cost: undefined,
    cache,
    error,
  };
}

/**
 * Passes events through while folding what they carry into one completion, and settles the outcome when
 * they end: read to the end (ok), thrown (error), or abandoned by the reader (aborted), even before the
 * first read. This is the one place a started answer's outcome is made, so streams, aborted streams and
 * failed streams all have one.
 */
export function tracked(
  source: AsyncIterable<GatewayEvent>,
  signal: AbortSignal,
  settle: (status: Outcome['status'], completion: ChatCompletion | undefined, error: GatewayError | undefined) => void,
): AsyncIterableIterator<GatewayEvent> {
  const iterator = source[Symbol.asyncIterator]();
  const accumulator = new ChunkAccumulator();
  let whole: ChatCompletion | undefined;
  let seen = false;
  let ended = false;
  const end = (status: Outcome['status'], error: GatewayError | undefined) => {
    if (ended) return;
    ended = true;
    settle(status, whole ?? (seen ? accumulator.result() : undefined), error);
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (ended) return Promise.resolve(ITERATION_DONE);
      return iterator.next().then(
        (step): IteratorResult<GatewayEvent> => {
          if (step.done) {
            end('ok', undefined);
            return ITERATION_DONE;
          }
          const event = step.value;
          if (event.type === 'chunks') {
            seen = true;
            for (const chunk of event.chunks) accumulator.add(chunk);
          } else if (event.type === 'completion') whole = event.completion;
          return step;
        },
        (thrown: unknown) => {
          const error = signal.aborted ? abortReason(signal) : asGatewayError(thrown);
          end(error.is('client_closed_request') ? 'aborted' : 'error', error);
          throw error;
        },
      );
    },
    async return() {
      end('aborted', abortReason(signal));
      await iterator.return?.();
      return ITERATION_DONE;
    },
  };
}
