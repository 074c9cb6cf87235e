import { cachePolicy, cacheScope } from '../cache/cache-policy.ts';
import { roundUsd } from '../core/money.ts';
import type { ChatBody, ChatCompletion } from '../core/types.ts';
import { asGatewayError, clientClosed, invalidField } from '../errors.ts';
import { within } from '../gateway/clock.ts';
import { collectCompletion } from '../gateway/collect.ts';
import type { Answer, Call, CallRequest, GatewayEvent, Outcome } from '../gateway/types.ts';
import { checkAccess } from '../limits/check-access.ts';
import { callLimitHeaders } from '../limits/limit-headers.ts';
import type { ManagedCaller } from '../limits/lookup-key.ts';
import type { RequestContext } from '../http/context.ts';
import { scrubError } from '../core/scrub.ts';
import type { Target } from '../providers/target.ts';
import { chatTokenCounter, exactAllowance } from '../tokens/count-chat.ts';
import { applyMaxTokens, maxTokensField } from '../tokens/max-tokens.ts';
import { modelLimits } from '../tokens/prices.ts';
import { trimToFit } from '../tokens/trim.ts';
import { SSE_HEADERS, sseBody, type SseEncoder, type StreamEnd } from '../stream/sse-response.ts';
import { modelChain, runPolicy } from './model-chain.ts';

/** A model call started by a route: the pipeline's call, and the controller that aborts it. */
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
  const policy = runPolicy(rc.request.headers, rc.config);
  const { models: _fallbacks, ...forwarded } = body;
  const headers: Record<string, string> = {};
  const upstreamBody = await fitted(rc, forwarded as ChatBody, targets[0], options.trimByDefault, headers);
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
    trace: rc.trace,
    waitUntil: (work) => rc.exec.waitUntil(work),
    cache: cache ? { policy: cache, scope: cacheScope(rc.config.cache, rc.caller.keyHash) } : undefined,
    ...(options.serverTools ? { serverTools: options.serverTools } : {}),
  });
  rc.outcomes.push(call.outcome);
  return { call, controller, headers };
}

/** `x-gateway-trim`: `auto` or `off`; a route's default otherwise. */
function trimMode(headers: Headers, byDefault: boolean): boolean {
  const asked = headers.get('x-gateway-trim');
  if (asked === null) return byDefault;
  if (asked !== 'auto' && asked !== 'off') throw invalidField('x-gateway-trim', 'Header x-gateway-trim must be "auto" or "off".');
  return asked === 'auto';
}

/**
 * The body with the deployer's output ceilings applied (DEFAULT_MAX_TOKENS, MAX_TOKENS_CEILING) and, when
 * trimming is on, its oldest whole turns dropped until prompt + output fit the model's context window.
 * What changed is said in `headers`. Only a conversation long enough to need counting loads the tokenizer.
 */
async function fitted(
  rc: RequestContext,
  body: ChatBody,
  target: Target,
  trimByDefault: boolean,
  headers: Record<string, string>,
): Promise<ChatBody> {
  const { tokens } = rc.config;
  const field = maxTokensField(target.model);
  const limited = applyMaxTokens(body, field, {
    ...(tokens.defaultMaxTokens ? { defaultMaxTokens: tokens.defaultMaxTokens } : {}),
    ...(tokens.maxTokensCeiling ? { ceiling: tokens.maxTokensCeiling } : {}),
  });
  if (limited.clampedFrom !== undefined)
    headers['x-gateway-max-tokens-clamped'] = `${limited.clampedFrom}; to=${tokens.maxTokensCeiling}; reason=ceiling`;
  if (!trimMode(rc.request.headers, trimByDefault)) return limited.body;
  const limits = modelLimits(target.id, tokens.prices);
  if (!limits.contextWindow) return limited.body;
  const asked = limited.body['max_tokens'] ?? limited.body['max_completion_tokens'];
  const output = typeof asked === 'number' ? asked : (limits.maxOutputTokens ?? 0);
  const budget = limits.contextWindow - output;
  const messages = limited.body.messages;
  // A token is at least one character: a conversation shorter than the budget in characters fits without counting.
  if (JSON.stringify(messages).length + 8 * messages.length < budget) return limited.body;
  const tools = Array.isArray(limited.body['tools']) ? limited.body['tools'] : undefined;
  // An allowance per count: trimming counts the tools again with every message, which must not use up a shared one.
  const counter = await chatTokenCounter(target.id);
  const count = (list: readonly unknown[]) => counter(list, tools, exactAllowance(tokens.exactMaxChars)).tokens;
  const trimmed = trimToFit(messages, { budget, count });
  if (trimmed.dropped === 0) return limited.body;
  headers['x-gateway-trimmed-messages'] = String(trimmed.dropped);
  return { ...limited.body, messages: [...trimmed.messages] };
}

/** Tokens and cost of a finished call, as response headers. */
function usageHeaders(outcome: Outcome): Record<string, string> {
  if (!outcome.usage) return {};
  return {
    'x-gateway-prompt-tokens': String(outcome.usage.prompt_tokens),
    'x-gateway-completion-tokens': String(outcome.usage.completion_tokens),
    ...(outcome.cost ? { 'x-gateway-cost-usd': String(roundUsd(outcome.cost.usd)) } : {}),
  };
}

/** Headers every model answer carries: which model answered, after how many upstream attempts, and what the cache did. */
function gatewayHeaders(answer: Answer): Record<string, string> {
  return {
    'x-gateway-model': answer.target.id,
    'x-gateway-attempts': String(answer.attempts.length),
    'x-gateway-cache': answer.cache,
    ...(answer.ageSeconds !== undefined ? { age: String(answer.ageSeconds) } : {}),
  };
}

/** A non-stream answer: the started answer and the whole completion it adds up to. */
export async function completeCall(
  started: StartedCall,
): Promise<{ answer: Answer; completion: ChatCompletion; headers: Record<string, string> }> {
  const answer = await started.call.answer;
  const completion = await collectCompletion(answer);
  const outcome = await started.call.outcome;
  return {
    answer,
    completion,
    // Read once the call has ended: a tool loop's answer reports the limits of its latest step.
    headers: { ...gatewayHeaders(answer), ...started.headers, ...callLimitHeaders(answer.limits), ...usageHeaders(outcome) },
  };
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
    usage: o.completion?.usage ?? o.usage,
    costUsd: o.cost === undefined ? undefined : roundUsd(o.cost.usd),
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
  rc.streamed = true;
  const body = sseBody(early ? early.events : keptAlive(rc, call.answer, keepAliveMs), {
    encoder,
    toError: (error) => scrubError(asGatewayError(error, rc.requestId), rc.config.secrets),
    abort: () => controller.abort(clientClosed()),
    firstFrame: () => {
      rc.log.ttfb_ms = Math.round(rc.deps.clock.now() - rc.startedAt);
    },
    end: () => streamEnd(call.outcome),
  });
  return new Response(body, {
    headers: { ...SSE_HEADERS, ...started.headers, ...(early ? { ...callLimitHeaders(early.limits), ...gatewayHeaders(early) } : {}) },
  });
}
