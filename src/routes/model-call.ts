import { cachePolicy, cacheScope } from '../cache/cache-policy.ts';
import type { ChatBody, ChatCompletion } from '../core/types.ts';
import { asGatewayError, clientClosed, invalidField } from '../errors.ts';
import { within } from '../gateway/clock.ts';
import { collectCompletion } from '../gateway/collect.ts';
import type { Answer, Call, CallRequest, GatewayEvent, Outcome } from '../gateway/types.ts';
import type { RequestContext } from '../http/context.ts';
import { scrubError } from '../http/scrub.ts';
import { SSE_HEADERS, sseBody, type SseEncoder, type StreamEnd } from '../stream/sse-response.ts';
import { modelChain, runPolicy } from './model-chain.ts';

/** A model call started by a route: the pipeline's call, and the controller that aborts it. */
export interface StartedCall {
  readonly call: Call;
  readonly controller: AbortController;
}

export interface CallOptions {
  readonly stream: boolean;
  /** Routes whose answers are repeatable by design (/extract) are cached in `deterministic` mode too. */
  readonly deterministic?: boolean;
  /** Server tools the gateway runs for this request. */
  readonly serverTools?: CallRequest['serverTools'];
}

/**
 * Turns a validated body into a pipeline request (model chain, narrowed policy, cache request, caller)
 * and starts it. The client going away (request.signal) aborts it. Its outcome feeds the log line.
 */
export function startCall(rc: RequestContext, body: ChatBody, options: CallOptions): StartedCall {
  const { resilience } = rc.config;
  const n = body['n'];
  if (typeof n === 'number' && n > resilience.maxN) throw invalidField('n', `"n" may be at most ${resilience.maxN} (MAX_N); got ${n}.`);
  const targets = modelChain(body, rc.request.headers, rc.config);
  const policy = runPolicy(rc.request.headers, rc.config);
  const { models: _fallbacks, ...forwarded } = body;
  const upstreamBody = forwarded as ChatBody;
  const cache = cachePolicy(rc.config.cache, upstreamBody, rc.request.headers, options.deterministic === true);
  const controller = new AbortController();
  rc.request.signal.addEventListener('abort', () => controller.abort(clientClosed()), { once: true });
  rc.log.stream = options.stream;
  const call = rc.callModel({
    body: upstreamBody,
    targets,
    stream: options.stream,
    signal: controller.signal,
    policy,
    caller: rc.caller,
    requestId: rc.requestId,
    waitUntil: (work) => rc.exec.waitUntil(work),
    cache: cache ? { policy: cache, scope: cacheScope(rc.config.cache, rc.caller.keyHash) } : undefined,
    ...(options.serverTools ? { serverTools: options.serverTools } : {}),
  });
  rc.outcomes.push(call.outcome);
  return { call, controller };
}

/** Headers every model answer carries: which model answered, after how many upstream attempts, and what the cache did. */
export function gatewayHeaders(answer: Answer): Record<string, string> {
  return {
    'x-gateway-model': answer.target.id,
    'x-gateway-attempts': String(answer.attempts.length),
    'x-gateway-cache': answer.cache,
    ...(answer.ageSeconds !== undefined ? { age: String(answer.ageSeconds) } : {}),
  };
}

/** A non-stream answer: the started answer and the whole completion it adds up to. */
export async function completeCall(started: StartedCall): Promise<{ answer: Answer; completion: ChatCompletion; outcome: Outcome }> {
  const answer = await started.call.answer;
  const completion = await collectCompletion(answer);
  return { answer, completion, outcome: await started.call.outcome };
}

/** The events of an answer still to come, with a keep-alive event every `ms` while it is awaited. */
async function* keptAlive(rc: RequestContext, answer: Promise<Answer>, ms: number): AsyncGenerator<GatewayEvent> {
  for (;;) {
    const settled = await within(rc.deps.clock, answer, ms);
    if (settled) return yield* settled.events;
    yield { type: 'keep_alive' };
  }
}

/** The end frames' facts from a call's outcome. */
async function streamEnd(outcome: Promise<Outcome>): Promise<StreamEnd> {
  const o = await outcome;
  return {
    model: o.target?.id ?? '',
    finishReason: o.completion?.choices[0]?.finish_reason ?? 'stop',
    usage: o.completion?.usage,
    costUsd: o.cost?.usd,
    estimated: o.cost?.estimated === true || o.usage?.estimated === true,
  };
}

/**
 * Streams a model call in one SSE dialect. An answer that starts within the keep-alive interval is sent
 * with its real status (so an upstream 429 is still a 429); a slower one commits to a 200 stream and
 * sends `: ping` comments until its first token, ending in an error event if it fails.
 */
export async function streamCall(rc: RequestContext, started: StartedCall, encoder: SseEncoder): Promise<Response> {
  const { call, controller } = started;
  const keepAliveMs = rc.config.resilience.keepAliveMs;
  const early = await within(rc.deps.clock, call.answer, keepAliveMs);
  rc.streamEnded = call.outcome.then(() => {});
  const body = sseBody(early ? early.events : keptAlive(rc, call.answer, keepAliveMs), {
    encoder,
    toError: (error) => scrubError(asGatewayError(error, rc.requestId), rc.config.secrets),
    abort: () => controller.abort(clientClosed()),
    firstFrame: () => {
      rc.log.ttfb_ms = Math.round(rc.deps.clock.now() - rc.startedAt);
    },
    end: () => streamEnd(call.outcome),
  });
  return new Response(body, { headers: { ...SSE_HEADERS, ...(early ? gatewayHeaders(early) : {}) } });
}
