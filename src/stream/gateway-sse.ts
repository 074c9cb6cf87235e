import type { ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { GatewayError } from '../errors.ts';
import { errorBody } from '../errors.ts';
import type { SseEncoder } from './sse-response.ts';

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * The gateway's own event stream (`/stream`), made for browsers and `EventSource`: named events whose
 * `data` is always one line of JSON, so a newline in a token can never break the framing.
 *   delta      {"content":"…"} or {"refusal":"…"}
 *   tool_call  {"index","id"?,"name"?,"arguments"}   (arguments may come in fragments)
 *   usage      {"prompt_tokens","completion_tokens","total_tokens"}
 *   done       {"finish_reason","model"}   (model: the `provider/model` that answered)
 *   error      {"error":{"message","type","param","code"}}
 */
export function gatewaySse(model: () => string): SseEncoder {
  return {
    chunk(chunk: ChatCompletionChunk) {
      let out = '';
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue;
        const { content, refusal, tool_calls } = choice.delta;
        if (content) out += frame('delta', { content });
        if (refusal) out += frame('delta', { refusal });
        for (const t of tool_calls ?? []) {
          out += frame('tool_call', { index: t.index, ...(t.id ? { id: t.id } : {}), ...(t.function?.name ? { name: t.function.name } : {}), arguments: t.function?.arguments ?? '' });
        }
      }
      return out;
    },
    end(completion: ChatCompletion) {
      const usage = completion.usage;
      const usageFrame = usage ? frame('usage', { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens }) : '';
      return usageFrame + frame('done', { finish_reason: completion.choices[0]?.finish_reason ?? 'stop', model: model() });
    },
    error: (error: GatewayError) => frame('error', errorBody(error)),
  };
}
