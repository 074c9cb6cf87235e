import type { TraceContext } from '../core/trace-context.ts';
// The pipeline's contract: what a model call is asked, what it answers, and how it ends. No HTTP in here.
import type { CacheRequest } from '../cache/cache-policy.ts';
import type { CallLimits } from '../core/limit-state.ts';
import type { RunPolicy } from '../config/settings.ts';
import type { ChatBody, ChatCompletion, JsonObject } from '../core/types.ts';
import type { GatewayError } from '../errors.ts';
import type { Target } from '../providers/target.ts';

export type { GatewayEvent, NativeEvent } from '../core/events.ts';
import type { GatewayEvent } from '../core/events.ts';

/** Who is calling: the hash of their gateway key (never the key), a name for logs, or anonymous. */
export interface Caller {
  readonly keyHash: string | null;
  /** What the log line calls the caller: the key's name, else a short prefix of its hash. */
  readonly name: string | null;
}

/** One model call as the pipeline sees it, whatever route it came from. */
export interface CallRequest {
  /** The client's fields, forwarded as they are (each target's model replaces `model`); `models` removed. */
  readonly body: ChatBody;
  /** The model chain to try, first choice first. */
  readonly targets: readonly [Target, ...Target[]];
  /** Whether the upstream is asked to stream. */
  readonly stream: boolean;
  /** Aborts everything: the client went away. */
  readonly signal: AbortSignal;
  readonly policy: RunPolicy;
  readonly caller: Caller;
  /** For log lines written by the stages. */
  readonly requestId: string;
  /** The request's trace, when it is traced (OTLP export on, or a caller's `traceparent`): attempts get spans and send `traceparent` upstream. */
  readonly trace?: TraceContext | undefined;
  /** Work that may finish after the answer (cache writes, budget settlement). */
  readonly waitUntil: (work: Promise<unknown>) => void;
  /** What the request asks of the cache (already clamped to the deployer's settings); undefined bypasses it. */
  readonly cache: CacheRequest | undefined;
  /** Whether the answer should also carry the provider's own events (Anthropic's, for `/v1/messages`); wires without a dialect of their own ignore it. */
  readonly native?: boolean;
  /** The client's own Responses request, sent as it came to a target that speaks it (OpenAI); others get `body`. */
  readonly responsesRequest?: JsonObject;
  /** Server tools the gateway runs for this request (names already checked against the registry); absent: none. */
  readonly serverTools?: { readonly names: readonly string[]; readonly maxIterations: number };
}

export type { CacheRequest };

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** One upstream attempt, for the log line and the `x-gateway-attempts` header. */
export interface Attempt {
  readonly model: string;
  readonly status: number;
  readonly error?: string;
  readonly ms: number;
  /** When it began, on the gateway's monotonic clock; set when the request is traced. */
  readonly at?: number;
  /** Its span in the request's trace, sent upstream as the parent in `traceparent`; set when the request is traced. */
  readonly spanId?: string;
}

export type { Cost, Usage } from '../core/types.ts';
import type { Cost, Usage } from '../core/types.ts';

/** An answer that has started: it can no longer be retried, and its events are to be read once. */
export interface Answer {
  readonly target: Target;
  readonly attempts: readonly Attempt[];
  readonly cache: CacheStatus;
  /** Seconds since a cached answer was stored. */
  readonly ageSeconds?: number;
  /** The caller's limits after the reservation that started this answer (absent when nothing was reserved). */
  readonly limits?: CallLimits | undefined;
  readonly events: AsyncIterable<GatewayEvent>;
}

/** One server tool the gateway ran for a call: which, when (monotonic ms) and for how long, and its error if it failed. */
export interface ToolRun {
  readonly id: string;
  readonly name: string;
  readonly at: number;
  readonly ms: number;
  readonly error?: string;
}

/** What a loop over the pipeline did (the tool loop): the model calls it made, and which bound stopped it. */
export interface LoopReport {
  readonly iterations: number;
  /** The model still asked for server tools at the last allowed call. */
  readonly maxIterationsReached: boolean;
  /** The model still asked for server tools but MAX_SUBREQUESTS left no request to call it again. */
  readonly maxSubrequestsReached: boolean;
}

/** How a call ended; produced on every exit (success, upstream error, deadline, client gone). */
export interface Outcome {
  readonly status: 'ok' | 'error' | 'aborted';
  /** The target that answered, or the last one tried. */
  readonly target: Target | undefined;
  readonly attempts: readonly Attempt[];
  /** Everything the client was sent, folded into one completion (partial when the stream failed or was cut). */
  readonly completion: ChatCompletion | undefined;
  readonly usage: Usage | undefined;
  readonly cost: Cost | undefined;
  readonly cache: CacheStatus;
  readonly error: GatewayError | undefined;
  /** The server tools the tool loop ran between model steps, in the order they finished; absent without any. */
  readonly tools?: readonly ToolRun[];
  /** The tool loop's report (for the log line); absent for a call that is not a loop. */
  readonly loop?: LoopReport;
}

/** A model call under way. */
export interface Call {
  /** Settles when the answer has started, or rejects with the error that kept it from starting. */
  readonly answer: Promise<Answer>;
  /** Resolves (never rejects) once the call has ended, after its events were read to the end or abandoned. */
  readonly outcome: Promise<Outcome>;
}

export type CallModel = (request: CallRequest) => Call;

/** A stage wraps the rest of the pipeline: `(next) => call`. */
export type Stage = (next: CallModel) => CallModel;
