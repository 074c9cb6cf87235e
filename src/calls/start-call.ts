// The one place a decoded request becomes a pipeline call, for every surface: the model chain, the key's model
// access, max-tokens fitting and trimming, the cache policy, abort wiring and the outcome for the log line.
import { cachePolicy, cacheScope } from '../cache/cache-policy.ts';
import type { ChatBody } from '../core/types.ts';
import { invalidField } from '../errors.ts';
import type { Call, CallRequest } from '../gateway/types.ts';
import type { RequestContext } from '../http/context.ts';
import { checkAccess } from '../limits/check-access.ts';
import type { ManagedCaller } from '../limits/lookup-key.ts';
import { abortedWithClient } from './abort.ts';
import { fitBody } from './fit-body.ts';
import { modelChain, runPolicy } from './model-chain.ts';

/** A model call started for a request: the pipeline's call, and the controller that aborts it. */
export interface StartedCall {
  readonly call: Call;
  readonly controller: AbortController;
  /** What the gateway changed in the request before sending it (clamped max_tokens, trimmed messages). */
  readonly headers: Record<string, string>;
}

export interface CallOptions {
  readonly stream: boolean;
  /** Routes whose answers are repeatable by design (/extract) are cached in `deterministic` mode too. */
  readonly deterministic?: boolean;
  /** Whether to trim the oldest turns to fit the context window when the request says nothing (`x-gateway-trim`). */
  readonly trimByDefault: boolean;
  /** Server tools the gateway runs for this request. */
  readonly serverTools?: CallRequest['serverTools'];
  /** Whether to carry the provider's own answer alongside the translation (`/v1/messages` to an Anthropic model). */
  readonly native?: boolean;
  /** The client's own Responses request, passed through to a target that speaks it (OpenAI), with `native`. */
  readonly responsesRequest?: CallRequest['responsesRequest'];
  /** What is left of a loop's deadline (/extract's asks share one): narrows the request's timeout. */
  readonly timeoutMs?: number;
}

/**
 * Turns a validated body into a pipeline request (model chain, narrowed policy, cache request, caller)
 * and starts it. The client going away (request.signal) aborts it. Its outcome feeds the log line.
 */
export async function startCall(rc: RequestContext, body: ChatBody, options: CallOptions): Promise<StartedCall> {
  const { resilience } = rc.config;
  const n = body['n'];
  if (typeof n === 'number' && n > resilience.maxN) throw invalidField('n', `"n" may be at most ${resilience.maxN} (MAX_N); got ${n}.`);
  const targets = modelChain(body, rc.request.headers, rc.config);
  // A managed key may be bound to models: checked before any upstream call (its origins were checked with the key).
  if ('record' in rc.caller) checkAccess((rc.caller as ManagedCaller).record, { models: targets.map((t) => t.id) });
  const asked = runPolicy(rc.request.headers, rc.config);
  const policy = options.timeoutMs === undefined ? asked : { ...asked, timeoutMs: Math.min(asked.timeoutMs, options.timeoutMs) };
  const { models: _fallbacks, ...forwarded } = body;
  const headers: Record<string, string> = {};
  const upstreamBody = await fitBody(rc, forwarded as ChatBody, targets[0], options.trimByDefault, headers);
  const cache = cachePolicy(rc.config.cache, upstreamBody, rc.request.headers, options.deterministic === true);
  const controller = abortedWithClient(rc);
  rc.log.stream = options.stream;
  if (typeof body.model === 'string') rc.log.model_requested ??= body.model;
  const call = rc.callModel({
    body: upstreamBody,
    targets,
    stream: options.stream,
    signal: controller.signal,
    policy,
    caller: rc.caller,
    requestId: rc.requestId,
    trace: rc.trace,
    waitUntil: (work) => rc.exec.waitUntil(work),
    cache: cache ? { policy: cache, scope: cacheScope(rc.config.cache, rc.caller.keyHash) } : undefined,
    ...(options.serverTools ? { serverTools: options.serverTools } : {}),
    ...(options.native ? { native: true } : {}),
    ...(options.responsesRequest ? { responsesRequest: options.responsesRequest } : {}),
  });
  rc.outcomes.push(call.outcome);
  return { call, controller, headers };
}
