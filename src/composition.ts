// The composition root of the model-call pipeline: the production dependencies, and the stages in their order.
import { SingleFlight } from './cache/single-flight.ts';
import type { Config } from './config/config.ts';
import { attemptLoop } from './gateway/attempts.ts';
import { cacheStage } from './gateway/cache-stage.ts';
import { sleep, systemClock } from './gateway/clock.ts';
import { Cooldown } from './gateway/cooldown.ts';
import { compose } from './gateway/pipeline.ts';
import { scrubStage } from './gateway/scrub-stage.ts';
import type { CallModel, CallRequest, Stage } from './gateway/types.ts';
import { usageStage } from './gateway/usage-stage.ts';
import type { AppDeps } from './http/context.ts';
import { budgetStage, hasLimits } from './limits/budget-stage.ts';
import { limitsDepsFor } from './limits/limits-deps.ts';
import { callBound } from './limits/call-bound.ts';
import { modelLimits } from './tokens/prices.ts';
import type { ToolRegistry } from './tools/registry.ts';
import { toolLoop } from './tools/tool-loop.ts';

/** The production dependencies; one cooldown memory and one single-flight table per isolate. */
export function defaultDeps(): AppDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    clock: systemClock,
    random: Math.random,
    cooldown: new Cooldown(systemClock.now, (line) => console.log(JSON.stringify(line))),
    singleFlight: new SingleFlight(),
  };
}

/** Output tokens a budgeted call is bounded by when neither the request nor DEFAULT_MAX_TOKENS names a limit. */
const DEFAULT_OUTPUT_TOKENS = 4096;

/** The budget stage, for callers with limits: a static key with no KEY_* limit set costs no Durable Object round trip. */
function budgetFor(env: Env, config: Config, wallNow: () => number): Stage {
  const deps = {
    ...limitsDepsFor(env, config.limits, wallNow),
    estimate: (request: CallRequest) =>
      callBound(request, {
        overrides: config.tokens.prices,
        defaultOutputTokens: config.tokens.defaultMaxTokens ?? DEFAULT_OUTPUT_TOKENS,
        minOutputTokens: config.limits.minOutputTokens,
        exactMaxChars: config.tokens.exactMaxChars,
      }),
  };
  return (next) => {
    const budgeted = budgetStage(deps)(next);
    return (request) => (hasLimits(request.caller, config.limits) ? budgeted(request) : next(request));
  };
}

/** The model-call pipeline: stages outermost first, around the attempt loop. */
export function pipeline(deps: AppDeps, env: Env, config: Config, registry: ToolRegistry): CallModel {
  const log = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
  const { clock } = deps;
  const contextWindow = (id: string) => modelLimits(id, config.tokens.prices).contextWindow;
  return compose(attemptLoop({ ...deps, contextWindow }), [
    // Outermost: nothing a model says reaches the client with a configured secret in it.
    scrubStage(config.secrets),
    // Each model step of the tool loop goes through every stage below it: cache, budget, usage.
    toolLoop({
      registry,
      env,
      fetch: deps.fetch,
      now: clock.now,
      sleep: (ms, signal) => sleep(clock, ms, signal),
      timeoutMs: config.tools.timeoutMs,
      resultMaxBytes: config.tools.resultMaxBytes,
      maxCallsPerTurn: config.tools.maxCallsPerTurn,
      maxSubrequests: config.tools.maxSubrequests,
    }),
    // Reserve the worst case in the key's Durable Object before the call; settle from the outcome after it.
    ...(env.LIMITS ? [budgetFor(env, config, () => clock.wallNow())] : []),
    usageStage(config.tokens.prices, config.tokens.exactMaxChars),
    cacheStage({ kv: env.CACHE, singleFlight: deps.singleFlight, clock, log }),
  ]);
}
