import { planCache } from '../cache/cache-plan.ts';
import { notCacheable } from '../cache/cache-policy.ts';
import { run, type RunResult } from '../core/run.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { RequestContext } from '../http/context.ts';
import { clientClosed, invalidField } from '../errors.ts';
import { asGatewayError } from '../errors.ts';
import { scrubError } from '../http/scrub.ts';
import { accumulate } from '../stream/accumulate.ts';
import { replay } from '../stream/replay.ts';
import { KEEP_ALIVE, SSE_HEADERS, sseBody, type SseEncoder } from '../stream/sse-response.ts';
import { modelChain, runPolicy } from './model-chain.ts';

/** A model call under way: its result to come, and the controller that aborts its upstream request. */
export interface ModelCall {
  readonly result: Promise<RunResult>;
  readonly controller: AbortController;
}

/**
 * Resolves the model chain and starts the core on it, behind the response cache: a hit is answered from
 * KV, identical non-stream misses in flight share one upstream call. The client going away
 * (request.signal, with the `enable_request_signal` flag) aborts it; provider, model, attempts and cache
 * status go to the log line. `deterministic` marks routes whose answers are cacheable by design (/extract).
 */
export function startModelCall(rc: RequestContext, body: ChatBody, stream: boolean, deterministic = false): ModelCall {
  const n = body['n'];
  if (typeof n === 'number' && n > rc.config.resilience.maxN) throw invalidField('n', `"n" may be at most ${rc.config.resilience.maxN} (MAX_N); got ${n}.`);
  const targets = modelChain(body, rc.request.headers, rc.config);
  const policy = runPolicy(rc.request.headers, rc.config);
  const { models: _fallbacks, ...upstreamBody } = body;
  const [primary] = targets;
  rc.log.provider = primary.provider.spec.name;
  rc.log.model = primary.id;
  rc.log.stream = stream;
  const controller = new AbortController();
  rc.request.signal.addEventListener('abort', () => controller.abort(clientClosed()), { once: true });
  const go = (signal: AbortSignal) => run({ body: upstreamBody as ChatBody, targets, stream, signal, policy }, rc.deps);
  const result = (async (): Promise<RunResult> => {
    const plan = await planCache({ kv: rc.env.CACHE, settings: rc.config.cache, keyHash: rc.caller.keyHash, model: primary.id, body: upstreamBody, headers: rc.request.headers, deterministic });
    rc.cache = plan;
    if (!plan) return go(controller.signal);
    if (plan.policy.read) {
      const hit = await plan.store.get(plan.key);
      if (hit) {
        plan.status = 'HIT';
        plan.ageSeconds = Math.max(0, Math.floor((rc.deps.wallNow() - hit.storedAt) / 1000));
        return { kind: 'completion', completion: hit.completion, target: targets.find((t) => t.id === hit.model) ?? primary, attempts: [] };
      }
    }
    if (stream) return go(controller.signal);
    // A shared call belongs to no one client: the first caller hanging up must not fail the others (the deadline still bounds it).
    const flight = rc.deps.singleFlight.run(plan.key, () => go(new AbortController().signal));
    // Joined an identical call in flight: answered without an upstream call of its own, like a hit.
    if (flight.joined) plan.status = 'HIT';
    return flight.result;
  })();
  const attempts = (r: RunResult) => {
    rc.log.provider = r.target.provider.spec.name;
    rc.log.model = r.target.id;
    rc.log.attempts = r.attempts;
  };
  result.then(attempts, () => {});
  return { result, controller };
}

/** Headers every model answer carries: which model answered, after how many upstream attempts, and what the cache did. */
export function gatewayHeaders(rc: RequestContext, result: RunResult): Record<string, string> {
  const plan = rc.cache;
  return {
    'x-gateway-model': result.target.id,
    'x-gateway-attempts': String(result.attempts.length),
    'x-gateway-cache': plan?.status ?? 'BYPASS',
    ...(plan?.ageSeconds !== undefined ? { age: String(plan.ageSeconds) } : {}),
  };
}

/** After an answer ended well: store it in KV without making the client wait (only a fresh miss, only if cacheable). */
function saveAnswer(rc: RequestContext, completion: ChatCompletion, model: string): void {
  const plan = rc.cache;
  if (plan?.status !== 'MISS' || !plan.policy.write) return;
  const reason = notCacheable(completion, plan.policy);
  const write = reason ? Promise.resolve(reason) : plan.store.put(plan.key, { completion, model, storedAt: rc.deps.wallNow() }, plan.policy.ttl);
  rc.exec.waitUntil(
    write.then(
      (skipped) => {
        if (skipped) console.log(JSON.stringify({ event: 'cache_skip', request_id: rc.requestId, reason: skipped }));
      },
      (error: unknown) => console.error(JSON.stringify({ event: 'cache_write_failed', request_id: rc.requestId, error: String(error) })),
    ),
  );
}

/** The whole answer as one completion, folding a stream if that is what came back; usage goes to the log. */
export async function completionOf(rc: RequestContext, result: RunResult): Promise<ChatCompletion> {
  let completion: ChatCompletion;
  if (result.kind === 'completion') completion = result.completion;
  else {
    const chunks: ChatCompletionChunk[] = [];
    for await (const batch of result.chunks) chunks.push(...batch);
    completion = accumulate(chunks);
  }
  logUsage(rc, completion);
  saveAnswer(rc, completion, result.target.id);
  return completion;
}

/** Tokens spent go to the log line; an answer served by the cache spent none. */
function logUsage(rc: RequestContext, completion: ChatCompletion): void {
  rc.log.cache = rc.cache?.status ?? 'BYPASS';
  if (!completion.usage) return;
  const cached = rc.cache?.status === 'HIT';
  rc.log.prompt_tokens = cached ? 0 : completion.usage.prompt_tokens;
  rc.log.completion_tokens = cached ? 0 : completion.usage.completion_tokens;
}

async function* chunksOf(result: RunResult): AsyncGenerator<ChatCompletionChunk[]> {
  if (result.kind === 'stream') yield* result.chunks;
  else yield replay(result.completion);
}

/** Resolves with the result, or with undefined if it takes longer than `ms`. */
function within(result: Promise<RunResult>, ms: number): Promise<RunResult | undefined> {
  let cancel = () => {};
  const late = new Promise<undefined>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cancel = () => clearTimeout(timer);
  });
  return Promise.race([result, late]).finally(cancel);
}

/** Chunks of a result still to come, with a keep-alive marker every `ms` while it is awaited. */
async function* keptAlive(result: Promise<RunResult>, ms: number): AsyncGenerator<ChatCompletionChunk[] | typeof KEEP_ALIVE> {
  for (;;) {
    const settled = await within(result, ms);
    if (settled) return yield* chunksOf(settled);
    yield KEEP_ALIVE;
  }
}

/**
 * Streams a model call in one SSE dialect. An answer that starts within the keep-alive interval is sent
 * with its real status (so an upstream 429 is still a 429); a slower one commits to a 200 stream and
 * sends `: ping` comments until its first token, ending in an error event if it fails.
 */
export async function streamModelCall(rc: RequestContext, body: ChatBody, encoder: SseEncoder): Promise<Response> {
  const call = startModelCall(rc, body, true);
  const early = await within(call.result, rc.config.resilience.keepAliveMs);
  let ended!: () => void;
  rc.streamEnded = new Promise<void>((resolve) => (ended = resolve));
  const stream = sseBody(early ? chunksOf(early) : keptAlive(call.result, rc.config.resilience.keepAliveMs), {
    encoder,
    toError: (error) => scrubError(asGatewayError(error, rc.requestId), rc.config.secrets),
    abort: () => call.controller.abort(clientClosed()),
    firstChunk: () => (rc.log.ttfb_ms = Math.round(rc.deps.now() - rc.startedAt)),
    finish: (outcome) => {
      logUsage(rc, outcome.completion);
      // Only a stream that ended cleanly is stored: never an error, an abort or a cut.
      if (outcome.status === 'complete' && rc.log.model) saveAnswer(rc, outcome.completion, rc.log.model);
      if (outcome.error) {
        rc.log.error_type = outcome.error.type;
        rc.log.error_code = outcome.error.code ?? undefined;
      }
      if (outcome.status === 'aborted') rc.log.error_code = 'client_closed_request';
      ended();
    },
  });
  return new Response(stream, { headers: { ...SSE_HEADERS, ...(early ? gatewayHeaders(rc, early) : {}) } });
}
