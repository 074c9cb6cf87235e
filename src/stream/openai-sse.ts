import type { ChatCompletionChunk } from '../core/types.ts';
import { errorBody, type GatewayError } from '../errors.ts';
import type { SseEncoder } from './sse-response.ts';

/**
 * OpenAI's own stream format: `data: <chunk>` frames and `data: [DONE]`. The gateway always asks
 * the upstream for usage; a client that did not ask (`stream_options.include_usage`) gets none.
 * A failure ends the stream with `data: {"error":…}` and no `[DONE]`, which OpenAI's SDKs raise as an error.
 */
export function openAiSse(includeUsage: boolean): SseEncoder {
  return {
    chunk(chunk: ChatCompletionChunk) {
      if (!includeUsage) {
        if (chunk.choices.length === 0) return '';
        delete chunk.usage;
      }
      return `data: ${JSON.stringify(chunk)}\n\n`;
    },
    // A relayed provider's unchanged frames go out as its bytes. A client that did not ask for usage must not get the
    // usage chunk the gateway asked for; the `"usage":null` its other chunks carry is spec-valid and stays.
    raw(chunks, raw) {
      if (!includeUsage) for (const chunk of chunks) if (chunk.choices.length === 0 || chunk.usage) return undefined;
      return raw;
    },
    // Server tool steps are the gateway's business; an OpenAI client sees only the final answer.
    step: () => '',
    // Cost has no field in OpenAI's chunks: a client that asked for usage gets it in a comment just before [DONE].
    end: (end) => {
      const cost =
        includeUsage && end.costUsd !== undefined ? `: x-gateway-cost-usd ${end.costUsd}${end.estimated ? ' estimated' : ''}\n\n` : '';
      return `${cost}data: [DONE]\n\n`;
    },
    error: (error: GatewayError) => `data: ${JSON.stringify(errorBody(error))}\n\n`,
  };
}
