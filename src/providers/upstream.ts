import { isJsonObject, type ChatBody, type ChatCompletion, type ChatCompletionChunk } from '../core/types.ts';
import type { SseEvent } from '../stream/sse-decoder.ts';
import { chunkBatches } from './chunk-batches.ts';
import { adaptRequest } from './adapt-request.ts';
import { callAnthropic } from './anthropic/call.ts';
import { openAiClientFor as clientFor } from './openai-client.ts';
import { requestTemplates, statusError } from './request-template.ts';
import { isEventStream, upstreamJson } from './upstream-body.ts';
import { ChunkNormalizer, normalizeCompletion, type NormalizeOptions } from './normalize.ts';
import type { Target } from './target.ts';
import { fromUpstreamBody, toGatewayError } from './upstream-error.ts';

/** Normalised chunks in batches: all the chunks one network read brought, so per-chunk overhead stays small. */
export type ChunkBatches = AsyncIterable<ChatCompletionChunk[]>;

/** What an upstream answered: one completion, or a stream of normalised chunks. */
export type UpstreamAnswer =
  | { readonly kind: 'completion'; readonly completion: ChatCompletion; readonly headers: Headers }
  | { readonly kind: 'stream'; readonly chunks: ChunkBatches; readonly headers: Headers };

export interface UpstreamCall {
  readonly target: Target;
  /** The request body; every field is forwarded, `model` is replaced by the target's. */
  readonly body: ChatBody;
  readonly stream: boolean;
  readonly signal: AbortSignal;
  /** The SDK's own timeout for this attempt; the gateway's deadline also aborts through `signal`. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

const templateFor = requestTemplates();

/**
 * Makes one upstream attempt and returns its normalised answer: the body adapted to the target
 * (`adaptRequest`), then the provider's wire (the `wire` column): the request the openai SDK builds for the
 * provider (once per isolate, `request-template.ts`), or Anthropic's Messages API through its SDK. Errors of
 * every kind come out as GatewayError; the raw response is read here so that comment lines, `event:
 * error` frames, error objects inside chunks and a missing `[DONE]` are all seen.
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamAnswer> {
  const { target, signal } = call;
  const adapted = adaptRequest(target, call.body, call.stream);
  if (target.provider.spec.wire === 'anthropic') return callAnthropic(call, adapted.body);
  try {
    const client = clientFor(target.provider, call.fetch);
    const template = await templateFor(client, target.model, target.provider.spec.wire === 'azure', call.timeoutMs);
    // The body is the client's own JSON, validated by the route, every field forwarded as it is.
    const send = call.fetch;
    const response = await send(template.url, { ...template.init, body: JSON.stringify(adapted.body), signal });
    if (!response.ok) throw await statusError(response);
    if (isEventStream(response, call.stream)) {
      return { kind: 'stream', chunks: streamChunks(response.body, target, signal, adapted.normalize), headers: response.headers };
    }
    const parsed = upstreamJson(await response.text(), target, 'a response');
    const completion = normalizeCompletion(parsed, target.model, adapted.normalize);
    return { kind: 'completion', completion, headers: response.headers };
  } catch (error) {
    throw toGatewayError(error, target, signal);
  }
}

/** Whether a chunk finishes any choice. */
function finishes(chunk: ChatCompletionChunk): boolean {
  for (const c of chunk.choices) if (c.finish_reason !== null) return true;
  return false;
}

/** The normalised chunks of an OpenAI-wire stream: `[DONE]` ends it, comment lines are skipped. */
function streamChunks(
  body: ReadableStream<Uint8Array>,
  target: Target,
  signal: AbortSignal,
  options: NormalizeOptions,
): AsyncIterableIterator<ChatCompletionChunk[]> {
  const normalizer = new ChunkNormalizer(target.model, options);
  let finished = false;
  return chunkBatches(body, target, {
    chunksOf(event) {
      if (event.comment !== undefined) return [];
      if (event.data === '[DONE]') return null;
      const chunk = normalizer.normalize(parseChunk(event, target));
      if (!finished) finished = finishes(chunk);
      return [chunk];
    },
    finished: () => finished,
    toError: (error) => toGatewayError(error, target, signal),
  });
}

/** One `data:` payload as JSON; an error frame (`event: error`, or an `error` object) as the error it carries. */
function parseChunk(event: SseEvent, target: Target): unknown {
  const parsed = upstreamJson(event.data, target, 'a stream chunk');
  if (event.event === 'error' || (isJsonObject(parsed) && parsed['error'] != null)) throw fromUpstreamBody(502, parsed, undefined, target);
  return parsed;
}
