import { isJsonObject, type ChatCompletionChunk } from '../../core/types.ts';
import type { SseEvent } from '../../stream/sse-decoder.ts';
import { chunkBatches } from '../chunk-batches.ts';
import { ChunkNormalizer, normalizeCompletion, type NormalizeOptions } from '../normalize.ts';
import { openAiClientFor as clientFor } from '../openai-client.ts';
import { requestTemplates, statusError } from '../request-template.ts';
import type { Target } from '../target.ts';
import { isEventStream, upstreamJson } from '../upstream-body.ts';
import { fromUpstreamBody, toGatewayError } from '../upstream-error.ts';
import type { UpstreamAnswer, WireCall } from '../wire.ts';
import { openAiFailure } from './sdk-failure.ts';

const templateFor = requestTemplates();

/**
 * One attempt on the OpenAI wire (OpenAI, Azure and every OpenAI-compatible provider): the request the openai SDK
 * builds for the provider (once per isolate, `request-template.ts`) with the client's body. The raw response is
 * read here so that comment lines, `event: error` frames, error objects inside chunks and a missing `[DONE]` are
 * all seen.
 */
export const callOpenAi: WireCall = async (call, adapted): Promise<UpstreamAnswer> => {
  const { target, signal } = call;
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
    throw toGatewayError(error, target, signal, openAiFailure);
  }
};

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
    toError: (error) => toGatewayError(error, target, signal, openAiFailure),
  });
}

/** One `data:` payload as JSON; an error frame (`event: error`, or an `error` object) as the error it carries. */
function parseChunk(event: SseEvent, target: Target): unknown {
  const parsed = upstreamJson(event.data, target, 'a stream chunk');
  if (event.event === 'error' || (isJsonObject(parsed) && parsed['error'] != null)) throw fromUpstreamBody(502, parsed, undefined, target);
  return parsed;
}
