import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParams } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatCompletionChunk } from '../../core/types.ts';
import type { Target } from '../target.ts';
import { toGatewayError } from '../upstream-error.ts';
import type { UpstreamAnswer, WireCall } from '../wire.ts';
import { clientCache } from '../client-cache.ts';
import { isEventStream, upstreamJson } from '../upstream-body.ts';
import { anthropicFailure } from './sdk-failure.ts';
import { fromMessage } from './from-message.ts';
import { chunkBatches } from '../chunk-batches.ts';
import { MessageStreamTranslator } from './stream.ts';
import { toMessagesRequest } from './to-messages.ts';

// The gateway owns the retry loop, so the SDK never retries on its own.
const clientFor = clientCache(
  (provider, fetchImpl) => new Anthropic({ apiKey: provider.apiKey ?? 'none', baseURL: provider.baseURL, maxRetries: 0, fetch: fetchImpl }),
);

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * One attempt on Anthropic's Messages API through the official SDK: the chat body (already adapted for the
 * target) translated to Messages, the answer translated back to chat completions. Every failure comes out
 * as a GatewayError; the raw response is read here, like the OpenAI path, so ping and error events are seen.
 */
export const callAnthropic: WireCall = async (call, adapted): Promise<UpstreamAnswer> => {
  const { target, signal } = call;
  const params: MessageCreateParams = toMessagesRequest(adapted.body, target.model, call.stream);
  try {
    const response = await clientFor(target.provider, call.fetch)
      .messages.create(params, { signal, timeout: call.timeoutMs, maxRetries: 0 })
      .asResponse();
    if (isEventStream(response, call.stream)) {
      return { kind: 'stream', chunks: streamChunks(response.body, target, signal), headers: response.headers };
    }
    const parsed = upstreamJson(await response.text(), target, 'a response');
    return { kind: 'completion', completion: fromMessage(parsed, target.model, nowSeconds()), headers: response.headers };
  } catch (error) {
    throw toGatewayError(error, target, signal, anthropicFailure);
  }
};

/** The chunks of a Messages API stream, translated event by event; comment lines and empty events are skipped. */
function streamChunks(body: ReadableStream<Uint8Array>, target: Target, signal: AbortSignal): AsyncIterableIterator<ChatCompletionChunk[]> {
  const translator = new MessageStreamTranslator(target, nowSeconds());
  return chunkBatches(body, target, {
    chunksOf: (event) =>
      event.comment !== undefined || event.data === ''
        ? []
        : translator.push(event.event ?? undefined, upstreamJson(event.data, target, 'a stream event')),
    finished: () => translator.finished,
    toError: (error) => toGatewayError(error, target, signal, anthropicFailure),
  });
}
