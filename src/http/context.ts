import type { Config } from '../config/config.ts';
import type { RunDeps } from '../core/run.ts';

/** Who is calling: the hash of their gateway key (never the key), or anonymous. */
export interface Caller {
  readonly keyHash: string | null;
}

/** The fields of the one log line written per request. */
export interface LogFields {
  route?: string;
  provider?: string;
  model?: string;
  status?: number;
  stream?: boolean;
  ttfb_ms?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  error_type?: string;
  error_code?: string | undefined;
  attempts?: readonly { model: string; status: number; error?: string; ms: number }[];
}

/** Dependencies of the whole app: the core's, plus anything routes need. */
export type AppDeps = RunDeps;

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
  readonly log: LogFields;
  /** For streamed responses: settles when the body ends, so the log line can wait for it. */
  streamEnded: Promise<void> | undefined;
}
