import type { ChatCompletionChunk } from '../core/types.ts';
import { errorBody, type GatewayError } from '../errors.ts';
import type { StreamEventData, StreamEventName } from '../client/events.ts';
import type { SseEncoder } from './sse-response.ts';

/** One named event; its payload type is the one the browser client reads (src/client/events.ts), so the two never drift. */
const frame = <K extends StreamEventName>(event: K, data: StreamEventData<K>) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * The gateway's own event stream (`/stream`), made for browsers and `EventSource`: named events whose
 * `data` is always one line of JSON, so a newline in a token can never break the framing.
 *   delta        {"content":"…"} or {"refusal":"…"}
 *   tool_call    {"index","id"?,"name"?,"arguments"}   (a client tool; arguments may come in fragments)
 *                {"id","name","arguments","server":true} (a server tool the gateway is about to run)
 *   tool_result  {"id","name","result"|"error","ms"}
 *   usage        {"prompt_tokens","completion_tokens","total_tokens","cost_usd"?,"estimated"?}
 *   done         {"finish_reason","model"}   (model: the `provider/model` that answered)
 *   error        {"error":{"message","type","param","code"}}
 */
export function gatewaySse(): SseEncoder {
  return {
    chunk(chunk: ChatCompletionChunk) {
      let out = '';
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue;
        const { content, refusal, tool_calls } = choice.delta;
        if (content) out += frame('delta', { content });
        if (refusal) out += frame('delta', { refusal });
        for (const t of tool_calls ?? []) {
          out += frame('tool_call', {
            index: t.index,
            ...(t.id ? { id: t.id } : {}),
            ...(t.function?.name ? { name: t.function.name } : {}),
            arguments: t.function?.arguments ?? '',
          });
        }
      }
      return out;
    },
    step(event) {
      if (event.type === 'tool_call')
        return frame('tool_call', { id: event.id, name: event.name, arguments: event.arguments, server: true });
      const { type: _type, ...result } = event;
      return frame('tool_result', result);
    },
    end(end) {
      const u = end.usage;
      const usage = u
        ? frame('usage', {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
            total_tokens: u.total_tokens,
            ...(end.costUsd !== undefined ? { cost_usd: end.costUsd } : {}),
            ...(end.estimated ? { estimated: true } : {}),
          })
        : '';
      return usage + frame('done', { finish_reason: end.finishReason, model: end.model });
    },
    error: (error: GatewayError) => frame('error', errorBody(error)),
  };
}
