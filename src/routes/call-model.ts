import { run, type RunResult } from '../core/run.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { RequestContext } from '../http/context.ts';
import { clientClosed } from '../http/errors.ts';
import { asGatewayError } from '../http/render-error.ts';
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
 * Resolves the model chain and starts the core on it. The client going away (request.signal, with the
 * `enable_request_signal` flag) aborts it; provider, model and attempts go to the log line.
 */
export function startModelCall(rc: RequestContext, body: ChatBody, stream: boolean): ModelCall {
  const targets = modelChain(body, rc.request.headers, rc.config);
  const policy = runPolicy(rc.request.headers, rc.config);
  const { models: _fallbacks, ...upstreamBody } = body;
  const [primary] = targets;
  if (primary) {
    rc.log.provider = primary.provider.spec.name;
    rc.log.model = primary.id;
  }
  rc.log.stream = stream;
  const controller = new AbortController();
  rc.request.signal.addEventListener('abort', () => controller.abort(clientClosed()), { once: true });
  const result = run({ body: upstreamBody as ChatBody, targets, stream, signal: controller.signal, policy }, rc.deps);
  const attempts = (r: RunResult) => {
    rc.log.provider = r.target.provider.spec.name;
    rc.log.model = r.target.id;
    rc.log.attempts = r.attempts;
  };
  result.then(attempts, () => {});
  return { result, controller };
}

/** Headers every model answer carries: which model answered and after how many attempts. */
export function gatewayHeaders(result: RunResult): Record<string, string> {
  return { 'x-gateway-model': result.target.id, 'x-gateway-attempts': String(result.attempts.length) };
}

/** The whole answer as one completion, folding a stream if that is what came back; usage goes to the log. */
export async function completionOf(rc: RequestContext, result: RunResult): Promise<ChatCompletion> {
  let completion: ChatCompletion;
  if (result.kind === 'completion') completion = result.completion;
  else {
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of result.chunks) chunks.push(c);
    completion = accumulate(chunks);
  }
  logUsage(rc, completion);
  return completion;
}

function logUsage(rc: RequestContext, completion: ChatCompletion): void {
  if (!completion.usage) return;
  rc.log.prompt_tokens = completion.usage.prompt_tokens;
  rc.log.completion_tokens = completion.usage.completion_tokens;
}

async function* chunksOf(result: RunResult): AsyncGenerator<ChatCompletionChunk> {
  if (result.kind === 'stream') yield* result.chunks;
  else yield* replay(result.completion);
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
async function* keptAlive(result: Promise<RunResult>, ms: number): AsyncGenerator<ChatCompletionChunk | typeof KEEP_ALIVE> {
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
    toError: (error) => asGatewayError(error, rc.requestId),
    abort: () => call.controller.abort(clientClosed()),
    firstChunk: () => (rc.log.ttfb_ms = Math.round(rc.deps.now() - rc.startedAt)),
    finish: (outcome) => {
      logUsage(rc, outcome.completion);
      if (outcome.error) {
        rc.log.error_type = outcome.error.type;
        rc.log.error_code = outcome.error.code ?? undefined;
      }
      if (outcome.status === 'aborted') rc.log.error_code = 'client_closed_request';
      ended();
    },
  });
  return new Response(stream, { headers: { ...SSE_HEADERS, ...(early ? gatewayHeaders(early) : {}) } });
}
