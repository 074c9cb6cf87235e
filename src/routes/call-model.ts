import { run, type RunResult } from '../core/run.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { RequestContext } from '../http/context.ts';
import { asGatewayError } from '../http/render-error.ts';
import { resolveModel } from '../providers/resolve-model.ts';
import { accumulate } from '../stream/accumulate.ts';
import { replay } from '../stream/replay.ts';
import { SSE_HEADERS, sseBody, type SseEncoder } from '../stream/sse-response.ts';

/** A started model call: its result and the controller that aborts its upstream request. */
export interface ModelCall {
  readonly result: RunResult;
  readonly controller: AbortController;
}

/** Resolves the model chain for a body and runs it, recording provider, model and attempts for the log line. */
export async function callModel(rc: RequestContext, body: ChatBody, stream: boolean): Promise<ModelCall> {
  const target = resolveModel(typeof body.model === 'string' ? body.model : undefined, rc.config);
  rc.log.provider = target.provider.spec.name;
  rc.log.model = target.id;
  rc.log.stream = stream;
  const controller = new AbortController();
  const result = await run({ body, targets: [target], stream, signal: controller.signal }, rc.deps);
  rc.log.provider = result.target.provider.spec.name;
  rc.log.model = result.target.id;
  rc.log.attempts = result.attempts;
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

async function* once(chunks: ChatCompletionChunk[]): AsyncGenerator<ChatCompletionChunk> {
  yield* chunks;
}

/** Streams a model call in one SSE dialect; the log line is written when the stream ends. */
export function streamResponse(rc: RequestContext, call: ModelCall, encoder: SseEncoder): Response {
  const { result, controller } = call;
  const source = result.kind === 'stream' ? result.chunks : once(replay(result.completion));
  let ended!: () => void;
  rc.streamEnded = new Promise<void>((resolve) => (ended = resolve));
  const body = sseBody(source, {
    encoder,
    toError: (error) => asGatewayError(error, rc.requestId),
    abort: () => controller.abort(),
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
  rc.log.ttfb_ms = rc.deps.now() - rc.startedAt;
  return new Response(body, { headers: { ...SSE_HEADERS, ...gatewayHeaders(result) } });
}
