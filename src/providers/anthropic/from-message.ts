import type { ChatCompletion, JsonObject } from '../../core/types.ts';
import { isJsonObject } from '../../core/types.ts';
import { GatewayError } from '../../errors.ts';
import { finishFromAnthropic, usageFromAnthropic } from './usage.ts';

/**
 * A Messages API answer as a chat completion: text blocks joined into `content`, `tool_use` blocks as
 * `tool_calls`, thinking as the extension `reasoning_content` plus `thinking_blocks` (with their signatures,
 * to send back in the next turn), `stop_reason` as `finish_reason`, usage with the cache counts.
 */
export function fromMessage(raw: unknown, model: string, created: number): ChatCompletion {
  if (!isJsonObject(raw) || !Array.isArray(raw['content'])) {
    throw new GatewayError(502, 'The upstream sent a malformed response (not a Messages API message).', {
      type: 'upstream_error',
      code: 'upstream_malformed_response',
    });
  }
  let text: string | null = null;
  let reasoning: string | null = null;
  const thinkingBlocks: JsonObject[] = [];
  const toolCalls: JsonObject[] = [];
  for (const block of raw['content'].filter(isJsonObject)) {
    if (block['type'] === 'text' && typeof block['text'] === 'string') text = (text ?? '') + block['text'];
    else if (block['type'] === 'tool_use')
      toolCalls.push({
        id: block['id'],
        type: 'function',
        function: { name: block['name'], arguments: JSON.stringify(block['input'] ?? {}) },
      });
    else if (block['type'] === 'thinking') {
      reasoning = (reasoning ?? '') + String(block['thinking'] ?? '');
      thinkingBlocks.push(block);
    } else if (block['type'] === 'redacted_thinking') thinkingBlocks.push(block);
  }
  const message: JsonObject = { role: 'assistant', content: text, refusal: null };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  if (reasoning !== null) message['reasoning_content'] = reasoning;
  if (thinkingBlocks.length > 0) message['thinking_blocks'] = thinkingBlocks;
  const completion: JsonObject = {
    id: typeof raw['id'] === 'string' ? raw['id'] : `chatcmpl-${crypto.randomUUID()}`,
    object: 'chat.completion',
    created,
    model: typeof raw['model'] === 'string' ? raw['model'] : model,
    choices: [{ index: 0, message, finish_reason: finishFromAnthropic(raw['stop_reason']), logprobs: null }],
  };
  if (isJsonObject(raw['usage'])) completion['usage'] = usageFromAnthropic(raw['usage']);
  return completion as unknown as ChatCompletion;
}
