import type { CachePlan } from '../cache/cache-plan.ts';
import type { SingleFlight } from '../cache/single-flight.ts';
import type { Config } from '../config/config.ts';
import type { RunDeps, RunResult } from '../core/run.ts';

export type { Caller } from '../gateway/types.ts';
import type { Caller } from '../gateway/types.ts';
import type { RouteMatch } from './route-match.ts';

/** A route handler: gets the request and its context, answers it. */
export type Handler = (request: Request, rc: RequestContext) => Response | Promise<Response>;

/** The fields of the one log line written per request. */
export interface LogFields {
  route?: string;
  /** Who called: the key's name, or a short prefix of its hash; never the key. */
  caller?: string | undefined;
  provider?: string;
  model?: string;
  status?: number;
  stream?: boolean;
  ttfb_ms?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  error_type?: string;
  error_code?: string | undefined;
  cache?: 'HIT' | 'MISS' | 'BYPASS';
  attempts?: readonly { model: string; status: number; error?: string; ms: number }[];
}

/** Dependencies of the whole app: the core's, plus the isolate's single-flight table for cache misses. */
export interface AppDeps extends RunDeps {
  readonly singleFlight: SingleFlight<RunResult>;
}

/** Per-request state handed to every router stage. */
export interface RequestContext {
  readonly request: Request;
  readonly env: Env;
  readonly exec: ExecutionContext;
  readonly deps: AppDeps;
  readonly requestId: string;
  readonly startedAt: number;
  /** Set by the first `before` stage. */
  config: Config;
  caller: Caller;
  /** The route the request matched (set by the before stage, with its guard). */
  route: RouteMatch<Handler> | undefined;
  handler: Handler;
  readonly log: LogFields;
  /** The cache plan of the current model call; undefined when it bypasses the cache. */
  cache: CachePlan | undefined;
  /** For streamed responses: settles when the body ends, so the log line can wait for it. */
  streamEnded: Promise<void> | undefined;
}
