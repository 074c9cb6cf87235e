// Usage and stop reasons in Anthropic's words, from the pipeline's chat-completions ones.
import type { CompletionUsage } from '../../core/types.ts';

/** Anthropic's `usage`: `input_tokens` counts only what was neither read from nor written to the prompt cache. */
export interface MessagesUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/**
 * A chat-completions usage as Anthropic reports it. The chat prompt count includes cache reads
 * (`cached_tokens`) and, from Anthropic's own answers, cache writes (`cache_creation_input_tokens`);
 * Anthropic counts both apart from `input_tokens`.
 * @example messagesUsage({ prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 80 } })
 * // { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 80, output_tokens: 5 }
 */
export function messagesUsage(usage: CompletionUsage | undefined): MessagesUsage {
  const details = usage?.prompt_tokens_details as { cached_tokens?: number; cache_creation_input_tokens?: number } | undefined;
  const read = details?.cached_tokens ?? 0;
  const created = details?.cache_creation_input_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - read - created),
    cache_creation_input_tokens: created,
    cache_read_input_tokens: read,
    output_tokens: usage?.completion_tokens ?? 0,
  };
}

const STOP: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** A finish reason as Anthropic's `stop_reason`; a refusal is `refusal` whatever the finish reason said. */
export const stopReason = (finishReason: string | null | undefined, refused = false): string =>
  refused ? 'refusal' : (STOP[finishReason ?? 'stop'] ?? 'end_turn');
