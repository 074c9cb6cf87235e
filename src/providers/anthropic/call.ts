import type { NativeEvent } from '../../core/events.ts';
import { isJsonObject } from '../../core/types.ts';
import { chunkBatches } from '../chunk-batches.ts';
import type { Target } from '../target.ts';
import { isEventStream, upstreamJson } from '../upstream-body.ts';
import { toGatewayError } from '../upstream-error.ts';
import type { ChunkBatch, UpstreamAnswer, UpstreamCall, WireCall } from '../wire.ts';
import { statusError } from './errors.ts';
import { anthropicFailure, HeadersTimeout } from './failure.ts';
import { fromMessage } from './from-message.ts';
import { MessageStreamTranslator } from './stream.ts';
import { type MessagesRequest, toMessagesRequest } from './to-messages.ts';

/**
 * The API version the translation is written for. 2026-10-21 (what @anthropic-ai/sdk 1.x sends) refuses
 * `temperature`, `top_p` and `top_k`, which chat clients send and `toMessagesRequest` passes on.
 */
const ANTHROPIC_VERSION = '2023-06-01';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * One attempt on Anthropic's Messages API, one `fetch` (no SDK: the gateway translates, reads the stream and maps
 * the errors itself, and the SDK cost every new isolate startup time): the chat body (already adapted for the
 * target) translated to Messages, the answer translated back to chat completions. Every failure comes out as a
 * GatewayError; the raw stream is read here, like the OpenAI path, so ping and error events are seen. A call that asks
 * for it (`native`) also gets Anthropic's own answer: the Message, or each stream event as it was sent.
 */
export const callAnthropic: WireCall = async (call, adapted): Promise<UpstreamAnswer> => {
  const { target, signal } = call;
  const request = toMessagesRequest(adapted.body, target.model, call.stream);
  try {
    const response = await postMessages(call, request);
    if (!response.ok) throw await statusError(response, target);
    if (isEventStream(response, call.stream)) {
      return { kind: 'stream', chunks: streamChunks(response.body, target, signal, call.native === true), headers: response.headers };
    }
    const parsed = upstreamJson(await response.text(), target, 'a response');
    const completion = fromMessage(parsed, target.model, nowSeconds());
    if (call.native && isJsonObject(parsed)) return { kind: 'completion', completion, headers: response.headers, native: parsed };
    return { kind: 'completion', completion, headers: response.headers };
  } catch (error) {
    throw toGatewayError(error, target, signal, anthropicFailure);
  }
};

/**
 * `POST {baseURL}/v1/messages` with the provider's key as `x-api-key`. `timeoutMs` bounds the wait for the answer's
 * headers, not the body (a long stream is the idle timer's business); `signal` ends the request and its body.
 */
async function postMessages(call: UpstreamCall, request: MessagesRequest): Promise<Response> {
  const { provider } = call.target;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: call.stream ? 'text/event-stream' : 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
  };
  if (provider.apiKey !== undefined) headers['x-api-key'] = provider.apiKey;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), call.timeoutMs);
  try {
    return await call.fetch(`${provider.baseURL}/v1/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify(request),
      signal: AbortSignal.any([call.signal, timeout.signal]),
    });
  } catch (error) {
    throw timeout.signal.aborted && !call.signal.aborted ? new HeadersTimeout(call.timeoutMs) : error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The chunks of a Messages API stream, translated event by event; comment lines and empty events are skipped. With
 * `native`, each event the translation accepted is kept verbatim for the batch (an `error` event throws instead: the
 * gateway renders errors itself).
 */
function streamChunks(
  body: ReadableStream<Uint8Array>,
  target: Target,
  signal: AbortSignal,
  native: boolean,
): AsyncIterableIterator<ChunkBatch> {
  const translator = new MessageStreamTranslator(target, nowSeconds());
  let kept: NativeEvent[] = [];
  return chunkBatches(body, target, {
    chunksOf: (event) => {
      if (event.comment !== undefined || event.data === '') return [];
      const json = upstreamJson(event.data, target, 'a stream event');
      const chunks = translator.push(event.event ?? undefined, json);
      if (native && isJsonObject(json)) kept.push({ event: event.event ?? String(json['type']), data: event.data, json });
      return chunks;
    },
    finished: () => translator.finished,
    toError: (error) => toGatewayError(error, target, signal, anthropicFailure),
    ...(native
      ? {
          takeNative: () => {
            const out = kept;
            kept = [];
            return out;
          },
        }
      : {}),
  });
}
