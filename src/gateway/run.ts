import { ITERATION_DONE } from '../core/iteration.ts';
import { childController } from '../core/abort.ts';
import type { ChatCompletion, JsonObject } from '../core/types.ts';
import type { ChunkBatch } from '../providers/wire.ts';
import { abortReason, asGatewayError, GatewayError, type GatewayCode } from '../errors.ts';
import type { Target } from '../providers/target.ts';
import { callUpstream } from '../providers/upstream.ts';
import { type Clock, sleep } from './clock.ts';
import type { Cooldown } from './cooldown.ts';
import { allowsFallback, isContextTooLong, isRetryable, isUpstreamFailure } from './retry-policy.ts';
import { backoffMs, serverDelayMs } from './retry-timing.ts';
import { modelLimits } from '../tokens/prices.ts';
import type { Attempt, CallRequest, GatewayEvent } from './types.ts';
import { newSpanId, tracedFetch } from '../core/trace-context.ts';

/** Context windows from the price source's data, when the deployer gave no MODEL_PRICES. */
const defaultWindow = (id: string) => modelLimits(id).contextWindow;

/** What `run` needs from the outside world; the composition root passes the real ones, tests their own. */
export interface RunDeps {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly random: () => number;
  readonly cooldown: Cooldown;
  /** A model's context window (`provider/model`), for falling back only to a model that holds more. */
  readonly contextWindow?: (id: string) => number | undefined;
  /** Waits between attempts (default: on the clock); tests may record and skip them. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The answer: one completion, or a stream's events whose first batch has already arrived (so it can no longer be retried). */
export type RunAnswer = { readonly target: Target } & Answer;

type Answer =
  | { readonly kind: 'completion'; readonly completion: ChatCompletion; readonly native?: JsonObject }
  | { readonly kind: 'stream'; readonly events: AsyncIterableIterator<GatewayEvent> };

// The gateway's own timer (on the injected clock) ends every attempt at its deadline; the SDK's real-time timeout is only a backstop.
const SDK_TIMEOUT_MS = 10 * 60 * 1000;

const timeoutError = (message: string, code: GatewayCode) => new GatewayError(504, message, { type: 'timeout_error', code });
const deadlineError = (ms: number) => timeoutError(`No answer within the request's deadline of ${ms} ms.`, 'timeout');

/**
 * Calls the model chain and returns the first answer that starts well. Each model gets up to
 * `maxAttempts` on retryable errors, waiting what the server asks (or backing off with jitter); then the
 * next model, when the error allows a fallback. One deadline bounds all of it; a client that goes away
 * aborts the attempt in flight and any wait. Retries end at the first chunk: after that, failures are the stream's.
 */
export async function run(request: CallRequest, deps: RunDeps, attempts: Attempt[]): Promise<RunAnswer> {
  const { policy, signal } = request;
  // No timer of its own: each attempt's timer stops at the deadline, and no wait outlasts it.
  const { clock } = deps;
  const deadlineAt = clock.now() + policy.timeoutMs;
  let lastError: GatewayError | undefined;
  let lastTarget: Target | undefined;
  // Whether the last error came after the gateway spent every attempt on it: clients should not retry on top.
  let exhausted = false;
  for (const target of request.targets) {
    if (lastError && lastTarget && isContextTooLong(lastError) && !holdsMore(target, lastTarget, deps.contextWindow ?? defaultWindow))
      continue;
    const cooling = deps.cooldown.remainingMs(target.id);
    if (cooling > 0) {
      attempts.push({ model: target.id, status: 503, error: 'cooldown', ms: 0 });
      lastError ??= new GatewayError(
        503,
        `${target.id} is cooling down after repeated failures; try again in ${Math.ceil(cooling / 1000)} s.`,
        { code: 'model_cooling_down', headers: { 'retry-after': String(Math.ceil(cooling / 1000)) } },
      );
      continue;
    }
    lastTarget = target;
    for (let n = 1; ; n++) {
      if (clock.now() >= deadlineAt) throw deadlineError(policy.timeoutMs);
      const started = clock.now();
      const traced = request.trace?.recorded ? { at: started, spanId: newSpanId() } : undefined;
      let wait: number | undefined;
      try {
        const answer = await attempt(target, request, deps, deadlineAt, traced?.spanId);
        attempts.push({ model: target.id, status: 200, ms: Math.round(clock.now() - started), ...traced });
        deps.cooldown.recordSuccess(target.id);
        return { ...answer, target };
      } catch (thrown) {
        const error = asGatewayError(thrown);
        attempts.push({
          model: target.id,
          status: error.status,
          error: error.code ?? error.type,
          ms: Math.round(clock.now() - started),
          ...traced,
        });
        if (signal.aborted) throw abortReason(signal);
        lastError = error;
        exhausted = false;
        // Only what the upstream itself did counts against it for every tenant: never the gateway's own timeouts.
        if (isUpstreamFailure(error) && isRetryable(error)) deps.cooldown.recordFailure(target.id, policy.cooldown, request.requestId);
        // A non-stream answer that outlived its first-byte timeout may still be generated and billed: never asked for twice.
        if (!isRetryable(error) || (!request.stream && error.is('upstream_timeout'))) break;
        exhausted = n >= policy.maxAttempts;
        if (exhausted) break;
        wait = serverDelayMs(error.headers, clock.wallNow()) ?? backoffMs(n, policy.backoff, deps.random);
        // A hint that outlasts the deadline is not worth waiting for: fall back, or fail now with it.
        if (clock.now() + wait >= deadlineAt) break;
      }
      await (deps.sleep ? deps.sleep(wait, signal) : sleep(clock, wait, signal)).catch(() => {
        throw abortReason(signal);
      });
    }
    if (!allowsFallback(lastError)) throw lastError;
  }
  if (!lastError) throw new GatewayError(400, 'No model to call.', { param: 'model', code: 'invalid_value' });
  // The OpenAI SDKs obey x-should-retry: without it, their own retries would multiply ours.
  throw exhausted && policy.maxAttempts > 1 ? lastError.withHeaders({ 'x-should-retry': 'false' }) : lastError;
}

/** Whether a fallback can hold a prompt that was too long for the model before it. */
function holdsMore(candidate: Target, failed: Target, contextWindow: (id: string) => number | undefined): boolean {
  const window = contextWindow(candidate.id);
  const before = contextWindow(failed.id);
  return window !== undefined && (before === undefined || window > before);
}

/** One attempt: the call, bounded by the first-byte timeout until the answer (or a stream's first chunk) is here. */
async function attempt(
  target: Target,
  request: CallRequest,
  deps: RunDeps,
  deadlineAt: number,
  spanId: string | undefined,
): Promise<Answer> {
  const { policy } = request;
  const { clock } = deps;
  const { controller, dispose } = childController(request.signal);
  // One timer: the first-byte timeout (retryable), or the request's deadline if that comes first (final).
  const untilDeadline = Math.max(0, deadlineAt - clock.now());
  const firstByteFirst = policy.firstByteTimeoutMs < untilDeadline;
  const timer = clock.setTimeout(
    () =>
      controller.abort(
        firstByteFirst
          ? timeoutError(`${target.id} sent nothing within ${policy.firstByteTimeoutMs} ms.`, 'upstream_timeout')
          : deadlineError(policy.timeoutMs),
      ),
    firstByteFirst ? policy.firstByteTimeoutMs : untilDeadline,
  );
  try {
    const answer = await callUpstream({
      target,
      body: request.body,
      stream: request.stream,
      signal: controller.signal,
      timeoutMs: SDK_TIMEOUT_MS,
      fetch: tracedFetch(deps.fetch, request.trace, spanId),
      ...(request.native ? { native: true } : {}),
      ...(request.responsesRequest ? { responsesRequest: request.responsesRequest } : {}),
    });
    if (answer.kind === 'completion') {
      dispose();
      return answer;
    }
    // Wait for the first chunk, so a failure before it is still an ordinary (retryable) error.
    const iterator = answer.chunks[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { kind: 'stream', events: new IdleGuarded(iterator, first, policy.idleTimeoutMs, controller, clock, dispose) };
  } catch (error) {
    dispose();
    throw error;
  } finally {
    clock.clearTimeout(timer);
  }
}

/** A batch as the event that carries it, with the provider's own events or the bytes it came in when it has them. */
const eventOf = (batch: ChunkBatch): GatewayEvent =>
  batch.native || batch.raw
    ? { type: 'chunks', chunks: batch, ...(batch.native ? { native: batch.native } : {}), ...(batch.raw ? { raw: batch.raw } : {}) }
    : { type: 'chunks', chunks: batch };

/**
 * The rest of a started stream as `chunks` events, ended with a 504 (an error event for the client) when
 * the upstream goes silent for `idleMs`. One timer per stream, re-armed only when it fires; only time spent
 * waiting on the upstream counts, not time the client takes to read. A plain iterator, not a generator:
 * each batch costs one promise here, not a generator's queue and frames.
 */
class IdleGuarded implements AsyncIterableIterator<GatewayEvent> {
  readonly #iterator: AsyncIterator<ChunkBatch>;
  #first: ChunkBatch | undefined;
  readonly #controller: AbortController;
  readonly #clock: Clock;
  readonly #dispose: () => void;
  readonly #idleMs: number;
  #timer: unknown;
  #waitingSince: number | undefined;
  #closed = false;

  constructor(
    iterator: AsyncIterator<ChunkBatch>,
    first: IteratorResult<ChunkBatch>,
    idleMs: number,
    controller: AbortController,
    clock: Clock,
    dispose: () => void,
  ) {
    this.#iterator = iterator;
    this.#controller = controller;
    this.#clock = clock;
    this.#dispose = dispose;
    this.#idleMs = idleMs;
    if (first.done) this.#close(true);
    else this.#first = first.value;
  }

  /** Starts the one idle timer, with the first read (as a generator would: an answer never read arms nothing). */
  #arm(): void {
    const clock = this.#clock;
    const idleMs = this.#idleMs;
    const check = () => {
      const waited = this.#waitingSince === undefined ? 0 : clock.now() - this.#waitingSince;
      if (waited >= idleMs)
        return this.#controller.abort(
          timeoutError(`The upstream sent nothing for ${idleMs} ms, so the stream was ended.`, 'stream_idle_timeout'),
        );
      this.#timer = clock.setTimeout(check, idleMs - waited);
    };
    this.#timer = clock.setTimeout(check, idleMs);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<GatewayEvent>> {
    if (this.#closed) return Promise.resolve(ITERATION_DONE);
    const first = this.#first;
    if (first) {
      this.#first = undefined;
      this.#arm();
      return Promise.resolve({ done: false, value: eventOf(first) });
    }
    this.#waitingSince = this.#clock.now();
    return this.#iterator.next().then(
      (step): IteratorResult<GatewayEvent> => {
        this.#waitingSince = undefined;
        if (!step.done) return { done: false, value: eventOf(step.value) };
        this.#close(true);
        return ITERATION_DONE;
      },
      (error: unknown) => {
        this.#close(false);
        throw error;
      },
    );
  }

  /** The reader stopped early: the upstream request is aborted. */
  return(): Promise<IteratorResult<GatewayEvent>> {
    this.#close(false);
    return Promise.resolve(ITERATION_DONE);
  }

  #close(drained: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#first = undefined;
    this.#clock.clearTimeout(this.#timer);
    if (!drained) this.#controller.abort();
    this.#dispose();
  }
}
