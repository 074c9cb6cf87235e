import { abortReason, GatewayError, type GatewayCode } from '../errors.ts';
import { asGatewayError } from '../errors.ts';
import { contextWindow } from '../providers/model-catalog.ts';
import type { Target } from '../providers/target.ts';
import { callUpstream, type ChunkBatches } from '../providers/upstream.ts';
import { childController } from './abort.ts';
import type { Cooldown, CooldownSettings } from './cooldown.ts';
import { allowsFallback, isContextTooLong, isRetryable, isUpstreamFailure } from './retry-policy.ts';
import { backoffMs, serverDelayMs, type BackoffSettings } from './retry-timing.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from './types.ts';

/** What `run` needs from the outside world; the composition root passes the real ones, tests their own. */
export interface RunDeps {
  readonly fetch: typeof fetch;
  /** Monotonic milliseconds, for latencies and deadlines. */
  readonly now: () => number;
  /** Wall-clock milliseconds, for `Retry-After` dates. */
  readonly wallNow: () => number;
  /** Waits between attempts; rejects with the signal's reason when it aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly cooldown: Cooldown;
}

/** How hard to try: attempts per model, backoff, and the timeouts. */
export interface RunPolicy {
  readonly maxAttempts: number;
  readonly backoff: BackoffSettings;
  /** Deadline for all attempts and waits until the answer starts. */
  readonly timeoutMs: number;
  readonly firstByteTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly cooldown: CooldownSettings;
}

/** One chat call as the core sees it, whatever route it came from. */
export interface GatewayRequest {
  /** The client's fields, forwarded as they are (each target's model replaces `model`). */
  readonly body: ChatBody;
  /** The model chain to try, first choice first. */
  readonly targets: readonly Target[];
  readonly stream: boolean;
  /** Aborts everything: the client went away. */
  readonly signal: AbortSignal;
  readonly policy: RunPolicy;
}

/** One upstream attempt, for the log line and the `x-gateway-attempts` header. */
export interface Attempt {
  readonly model: string;
  readonly status: number;
  readonly error?: string;
  readonly ms: number;
}

/** The answer: one completion, or chunks whose first one has already arrived (so it can no longer be retried). */
export type RunResult = { readonly target: Target; readonly attempts: readonly Attempt[] } & (
  | { readonly kind: 'completion'; readonly completion: ChatCompletion }
  | { readonly kind: 'stream'; readonly chunks: ChunkBatches }
);

type Answer = { readonly kind: 'completion'; readonly completion: ChatCompletion } | { readonly kind: 'stream'; readonly chunks: ChunkBatches };

const timeoutError = (message: string, code: GatewayCode) => new GatewayError(504, message, { type: 'timeout_error', code });
const deadlineError = (ms: number) => timeoutError(`No answer within the request's deadline of ${ms} ms.`, 'timeout');

/**
 * Calls the model chain and returns the first answer that starts well. Each model gets up to
 * `maxAttempts` on retryable errors, waiting what the server asks (or backing off with jitter); then the
 * next model, when the error allows a fallback. One deadline bounds all of it; a client that goes away
 * aborts the attempt in flight and any wait. Retries end at the first chunk: after that, failures are the stream's.
 */
export async function run(request: GatewayRequest, deps: RunDeps): Promise<RunResult> {
  const { policy, signal } = request;
  // No timer of its own: each attempt's timer stops at the deadline, and no wait outlasts it.
  const deadlineAt = deps.now() + policy.timeoutMs;
  const attempts: Attempt[] = [];
  let lastError: GatewayError | undefined;
  let lastTarget: Target | undefined;
  // Whether the last error came after the gateway spent every attempt on it: clients should not retry on top.
  let exhausted = false;
  for (const target of request.targets) {
    if (lastError && lastTarget && isContextTooLong(lastError) && !holdsMore(target, lastTarget)) continue;
    const cooling = deps.cooldown.remainingMs(target.id);
    if (cooling > 0) {
      attempts.push({ model: target.id, status: 503, error: 'cooldown', ms: 0 });
      lastError ??= new GatewayError(503, `${target.id} is cooling down after repeated failures; try again in ${Math.ceil(cooling / 1000)} s.`, { code: 'model_cooling_down', headers: { 'retry-after': String(Math.ceil(cooling / 1000)) } });
      continue;
    }
    lastTarget = target;
    for (let n = 1; ; n++) {
      if (deps.now() >= deadlineAt) throw deadlineError(policy.timeoutMs);
      const started = deps.now();
      let wait: number | undefined;
      try {
        const answer = await attempt(target, request, deps, deadlineAt);
        attempts.push({ model: target.id, status: 200, ms: Math.round(deps.now() - started) });
        deps.cooldown.recordSuccess(target.id);
        return { ...answer, target, attempts };
      } catch (thrown) {
        const error = asGatewayError(thrown);
        attempts.push({ model: target.id, status: error.status, error: error.code ?? error.type, ms: Math.round(deps.now() - started) });
        if (signal.aborted) throw abortReason(signal);
        lastError = error;
        exhausted = false;
        // Only what the upstream itself did counts against it for every tenant: never the gateway's own timeouts.
        if (isUpstreamFailure(error) && isRetryable(error)) deps.cooldown.recordFailure(target.id, policy.cooldown);
        // A non-stream answer that outlived its first-byte timeout may still be generated and billed: never asked for twice.
        if (!isRetryable(error) || (!request.stream && error.is('upstream_timeout'))) break;
        exhausted = n >= policy.maxAttempts;
        if (exhausted) break;
        wait = serverDelayMs(error.headers, deps.wallNow()) ?? backoffMs(n, policy.backoff, deps.random);
        // A hint that outlasts the deadline is not worth waiting for: fall back, or fail now with it.
        if (deps.now() + wait >= deadlineAt) break;
      }
      await deps.sleep(wait, signal).catch(() => {
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
function holdsMore(candidate: Target, failed: Target): boolean {
  const window = contextWindow(candidate.model);
  const before = contextWindow(failed.model);
  return window !== undefined && (before === undefined || window > before);
}

/** One attempt: the call, bounded by the first-byte timeout until the answer (or a stream's first chunk) is here. */
async function attempt(target: Target, request: GatewayRequest, deps: RunDeps, deadlineAt: number): Promise<Answer> {
  const { policy } = request;
  const { controller } = childController(request.signal);
  // One timer: the first-byte timeout (retryable), or the request's deadline if that comes first (final).
  const untilDeadline = Math.max(0, deadlineAt - deps.now());
  const firstByteFirst = policy.firstByteTimeoutMs < untilDeadline;
  const timer = setTimeout(
    () => controller.abort(firstByteFirst ? timeoutError(`${target.id} sent nothing within ${policy.firstByteTimeoutMs} ms.`, 'upstream_timeout') : deadlineError(policy.timeoutMs)),
    firstByteFirst ? policy.firstByteTimeoutMs : untilDeadline,
  );
  try {
    const answer = await callUpstream({ target, body: request.body, stream: request.stream, signal: controller.signal, timeoutMs: Math.max(1, deadlineAt - deps.now()), fetch: deps.fetch });
    if (answer.kind === 'completion') return answer;
    // Wait for the first chunk, so a failure before it is still an ordinary (retryable) error.
    const iterator = answer.chunks[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { kind: 'stream', chunks: idleGuarded(iterator, first, policy.idleTimeoutMs, controller, deps.now) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The rest of a started stream, ended with a 504 (an error event for the client) when the upstream
 * goes silent for `idleMs`. One timer per stream, re-armed only when it fires; only time spent waiting
 * on the upstream counts, not time the client takes to read.
 */
async function* idleGuarded(iterator: AsyncIterator<ChatCompletionChunk[]>, first: IteratorResult<ChatCompletionChunk[]>, idleMs: number, controller: AbortController, now: () => number): AsyncGenerator<ChatCompletionChunk[]> {
  let waitingSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const waited = waitingSince === undefined ? 0 : now() - waitingSince;
    if (waited >= idleMs) return controller.abort(timeoutError(`The upstream sent nothing for ${idleMs} ms, so the stream was ended.`, 'stream_idle_timeout'));
    timer = setTimeout(check, idleMs - waited);
  };
  timer = setTimeout(check, idleMs);
  let done = false;
  try {
    for (let next = first; !next.done; ) {
      yield next.value;
      waitingSince = now();
      next = await iterator.next();
      waitingSince = undefined;
    }
    done = true;
  } finally {
    clearTimeout(timer);
    if (!done) controller.abort();
  }
}
