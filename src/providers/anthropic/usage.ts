import type { ChatCompletion, CompletionUsage, JsonObject } from '../../core/types.ts';
import { isJsonObject } from '../../core/types.ts';

const num = (o: JsonObject, key: string): number => (typeof o[key] === 'number' ? o[key] : 0);

/**
 * Anthropic usage in the chat-completions shape. `input_tokens` counts only what was neither read from nor
 * written to the cache, so the prompt is their sum; cache reads are `cached_tokens`, cache writes stay
 * visible as the extension `cache_creation_input_tokens` (they are billed at a higher rate).
 */
export function usageFromAnthropic(usage: JsonObject): CompletionUsage {
  const read = num(usage, 'cache_read_input_tokens');
  const created = num(usage, 'cache_creation_input_tokens');
  const prompt = num(usage, 'input_tokens') + read + created;
  const completion = num(usage, 'output_tokens');
  const out: JsonObject = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read, cache_creation_input_tokens: created },
  };
  const details = usage['output_tokens_details'];
  if (isJsonObject(details) && typeof details['thinking_tokens'] === 'number')
    out['completion_tokens_details'] = { reasoning_tokens: details['thinking_tokens'] };
  return out as unknown as CompletionUsage;
}

const FINISH: Record<string, ChatCompletion.Choice['finish_reason']> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic's `stop_reason` as the spec's finish reason; an unknown one counts as `stop`. */
export const finishFromAnthropic = (reason: unknown): ChatCompletion.Choice['finish_reason'] =>
  typeof reason === 'string' ? (FINISH[reason] ?? 'stop') : 'stop';
