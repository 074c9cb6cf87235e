// Builds the model-call pipeline without HTTP: the attempt loop and the cache stage over the mock upstream,
// on a fake clock, with CallRequests made by hand from the test env's configuration.
import { env } from 'cloudflare:workers';
import { SingleFlight } from '../../../src/cache/single-flight.ts';
import { configFor } from '../../../src/config/config.ts';
import type { RunPolicy } from '../../../src/config/settings.ts';
import type { ChatBody } from '../../../src/core/types.ts';
import { attemptLoop } from '../../../src/gateway/attempts.ts';
import { cacheStage, type SharedAnswer } from '../../../src/gateway/cache-stage.ts';
import { Cooldown } from '../../../src/gateway/cooldown.ts';
import { compose } from '../../../src/gateway/pipeline.ts';
import type { RunDeps } from '../../../src/gateway/run.ts';
import type { CacheRequest, CallModel, CallRequest } from '../../../src/gateway/types.ts';
import { resolveModel } from '../../../src/providers/resolve-model.ts';
import { FakeClock } from './fake-clock.ts';

const config = configFor(env);

export interface TestPipeline {
  readonly callModel: CallModel;
  readonly clock: FakeClock;
  readonly deps: RunDeps;
  /** Waits between attempts the loop asked for (recorded and skipped). */
  readonly sleeps: number[];
  /** Work handed to `waitUntil` (cache writes), to await before looking at the cache. */
  readonly background: Promise<unknown>[];
}

/** The app's pipeline (cache stage around the attempt loop) on a fake clock; `fetch` and `singleFlight` replaceable. */
export function testPipeline(overrides: { fetch?: typeof fetch; singleFlight?: SingleFlight<SharedAnswer> } = {}): TestPipeline {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const deps: RunDeps = {
    fetch: overrides.fetch ?? ((input, init) => fetch(input, init)),
    clock,
    random: () => 1,
    cooldown: new Cooldown(
      () => clock.now(),
      () => {},
    ),
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      if (signal.aborted) throw signal.reason;
    },
  };
  const cache = cacheStage({ kv: env.CACHE, singleFlight: overrides.singleFlight ?? new SingleFlight(), clock, log: () => {} });
  return { callModel: compose(attemptLoop(deps), [cache]), clock, deps, sleeps, background: [] };
}

export interface RequestOptions {
  /** Fallback model names after the body's model. */
  fallbacks?: string[];
  stream?: boolean;
  signal?: AbortSignal;
  policy?: Partial<RunPolicy>;
  /** A cache request read and written under its own scope; absent: the cache is bypassed. */
  cacheScope?: string;
}

/** A CallRequest as a route would build it, with targets resolved from the test env's configuration. */
export function callRequest(pipeline: TestPipeline, body: ChatBody, options: RequestOptions = {}): CallRequest {
  const r = config.resilience;
  const targets = [
    resolveModel(body.model as string | undefined, config),
    ...(options.fallbacks ?? []).map((name) => resolveModel(name, config, 'models')),
  ] as const;
  const cache: CacheRequest | undefined = options.cacheScope
    ? { policy: { read: true, write: true, ttl: 60, allowTruncated: false }, scope: options.cacheScope }
    : undefined;
  return {
    body,
    targets,
    stream: options.stream ?? false,
    signal: options.signal ?? new AbortController().signal,
    policy: {
      maxAttempts: r.maxAttempts,
      backoff: r.backoff,
      timeoutMs: r.timeoutMs,
      firstByteTimeoutMs: r.firstByteTimeoutMs,
      idleTimeoutMs: r.idleTimeoutMs,
      cooldown: r.cooldown,
      ...options.policy,
    },
    caller: { keyHash: null, name: null },
    requestId: crypto.randomUUID(),
    waitUntil: (work) => {
      pipeline.background.push(work);
    },
    cache,
  };
}
