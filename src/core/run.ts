import type { GatewayError } from '../http/errors.ts';
import type { Target } from '../providers/target.ts';
import { callUpstream } from '../providers/upstream.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from './types.ts';

/** What `run` needs from the outside world; the composition root passes the real ones, tests their own. */
export interface RunDeps {
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

/** One chat call as the core sees it, whatever route it came from. */
export interface GatewayRequest {
  /** The client's fields, forwarded as they are (the target's model replaces `model`). */
  readonly body: ChatBody;
  /** The model chain to try, first choice first. */
  readonly targets: readonly Target[];
  readonly stream: boolean;
  /** Aborts every attempt: the client went away or the deadline passed. */
  readonly signal: AbortSignal;
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
  | { readonly kind: 'stream'; readonly chunks: AsyncIterable<ChatCompletionChunk> }
);

const DEFAULT_TIMEOUT_MS = 90_000;

/** Calls the model chain and returns the first answer that starts well. */
export async function run(request: GatewayRequest, deps: RunDeps): Promise<RunResult> {
  const attempts: Attempt[] = [];
  let lastError: GatewayError | undefined;
  for (const target of request.targets) {
    const started = deps.now();
    try {
      const answer = await callUpstream({ target, body: request.body, stream: request.stream, signal: request.signal, timeoutMs: DEFAULT_TIMEOUT_MS, fetch: deps.fetch });
      if (answer.kind === 'completion') {
        attempts.push({ model: target.id, status: 200, ms: deps.now() - started });
        return { kind: 'completion', completion: answer.completion, target, attempts };
      }
      const chunks = await startedStream(answer.chunks);
      attempts.push({ model: target.id, status: 200, ms: deps.now() - started });
      return { kind: 'stream', chunks, target, attempts };
    } catch (error) {
      const failure = error as GatewayError;
      attempts.push({ model: target.id, status: failure.status, error: failure.code ?? failure.type, ms: deps.now() - started });
      lastError = failure;
    }
  }
  throw lastError;
}

/** Waits for a stream's first chunk, so a failure before it is still an ordinary (retryable) error. */
async function startedStream(chunks: AsyncIterable<ChatCompletionChunk>): Promise<AsyncIterable<ChatCompletionChunk>> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    [Symbol.asyncIterator]: () => {
      let pending: IteratorResult<ChatCompletionChunk> | undefined = first;
      return {
        next: () => {
          if (pending) {
            const r = pending;
            pending = undefined;
            return Promise.resolve(r);
          }
          return iterator.next();
        },
        return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
      };
    },
  };
}
