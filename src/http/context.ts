import type { SingleFlight } from '../cache/single-flight.ts';
import type { Config } from '../config/config.ts';
import type { SharedAnswer } from '../gateway/cache-stage.ts';
import type { RunDeps } from '../gateway/run.ts';
import type { CallModel, Caller, Outcome } from '../gateway/types.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import type { RouteMatch } from './route-match.ts';
import type { TraceContext } from '../core/trace-context.ts';

/** A route handler: gets the request and its context, answers it. */
export type Handler = (request: Request, rc: RequestContext) => Response | Promise<Response>;

/** The route's facts for the one log line written per request; who answered, tokens and cost come from the call outcomes. */
export interface LogFields {
  route?: string;
  /** The model as the client named it (an alias, a bare name), before the gateway resolved it. */
  model_requested?: string;
  /** Who called: the key's name, or a short prefix of its hash; never the key. */
  caller?: string | undefined;
  status?: number;
  stream?: boolean;
  ttfb_ms?: number;
  error_type?: string;
  error_code?: string | undefined;
  /** A resumable stream this request started, attached to or cancelled; the stream's one model call is logged by its object, under the starting request's id. */
  stream_id?: string;
  stream_op?: 'start' | 'attach' | 'cancel';
  /** Answers /extract ran the schema validator on (a verdict found again for the same schema and answer is not counted). */
  extract_validations?: number;
}

/** Dependencies of the whole app: the attempt loop's, plus the isolate's single-flight table for cache misses. */
export interface AppDeps extends RunDeps {
  readonly singleFlight: SingleFlight<SharedAnswer>;
}

/**
 * A request as it arrives, and what the `before` stages have learnt of it so far. The `catch` and `finally`
 * stages read this, since they also run when a `before` stage stopped the request (a bad variable, a 404, a 401).
 */
export interface RequestStart {
  readonly request: Request;
  readonly env: Env;
  readonly exec: ExecutionContext;
  readonly deps: AppDeps;
  readonly requestId: string;
  /** When the request arrived: on the gateway's monotonic clock, and on the wall clock (for trace spans). */
  readonly startedAt: number;
  readonly startedWallAt: number;
  /** Set once read: undefined when reading it failed (then the error is rendered without it). */
  config?: Config;
  /** The request's trace, set with the config: undefined when it is not traced. */
  trace?: TraceContext | undefined;
  /** The route the request matched, set before auth: undefined for a path not served. */
  route?: RouteMatch<Handler> | undefined;
  readonly log: LogFields;
  /** The outcome of every model call the request made, for the log line. */
  readonly outcomes: Promise<Outcome>[];
  /** Time the upstream attempts took to start answering, summed, for Server-Timing (ms). */
  upstreamMs: number;
  /** Whether the answer went out as a stream (its status was sent before it ended: a failure after that is in its outcome). */
  streamed: boolean;
}

/** A request the `before` stages let through, handed to its route's handler: complete when it is made. */
export interface RequestContext extends RequestStart {
  readonly config: Config;
  readonly trace: TraceContext | undefined;
  readonly route: RouteMatch<Handler>;
  readonly caller: Caller;
  /** The model-call pipeline for this request (stages composed by the app). */
  readonly callModel: CallModel;
  /** The server tools this gateway offers. */
  readonly tools: ToolRegistry;
}
