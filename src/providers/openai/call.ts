import { chunkBatches } from '../chunk-batches.ts';
import { ChunkNormalizer, normalizeCompletion, type NormalizeOptions } from '../normalize.ts';
import { openAiClientFor as clientFor } from '../openai-client.ts';
import { requestTemplates, statusError } from '../request-template.ts';
import type { Target } from '../target.ts';
import { isEventStream, upstreamJson } from '../upstream-body.ts';
import { toGatewayError } from '../upstream-error.ts';
import type { ChunkBatch, UpstreamAnswer, WireCall } from '../wire.ts';
import { finishes, parseChunk, relayBatches } from './relay-batches.ts';
import { callResponses, speaksResponses } from './responses-call.ts';
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
    // A Responses request to OpenAI goes as it came, to its Responses API; every other target gets the translation.
    if (call.responsesRequest && speaksResponses(target)) return await callResponses(call, call.responsesRequest, template);
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

/**
 * The normalised chunks of an OpenAI-wire stream: `[DONE]` ends it, comment lines are skipped. A chunk that needs no
 * normalising is used as it came. A relayed provider's (RELAY_PROVIDERS) batches also carry the bytes they came in.
 */
function streamChunks(
  body: ReadableStream<Uint8Array>,
  target: Target,
  signal: AbortSignal,
  options: NormalizeOptions,
): AsyncIterableIterator<ChunkBatch> {
  const normalizer = new ChunkNormalizer(target.model, options);
  const toError = (error: unknown) => toGatewayError(error, target, signal, openAiFailure);
  if (target.provider.relay) return relayBatches(body, target, normalizer, toError);
  let finished = false;
  return chunkBatches(body, target, {
    chunksOf(event) {
      if (event.comment !== undefined) return [];
      if (event.data === '[DONE]') return null;
      const parsed = parseChunk(event.data, event.event, target);
      const chunk = normalizer.isNormal(parsed) ? parsed : normalizer.normalize(parsed);
      if (!finished) finished = finishes(chunk);
      return [chunk];
    },
    finished: () => finished,
    toError,
  });
}
