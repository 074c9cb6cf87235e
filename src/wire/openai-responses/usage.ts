// Usage and finish reasons in the Responses API's words, from the pipeline's chat-completions ones.
import type { CompletionUsage } from '../../core/types.ts';

/** The Responses `usage` object. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/**
 * A chat-completions usage as the Responses API reports it: the same counts under other names (both count
 * cache reads inside the input and reasoning inside the output).
 * @example responsesUsage({ prompt_tokens: 100, completion_tokens: 5, total_tokens: 105 }).input_tokens // 100
 */
export function responsesUsage(usage: CompletionUsage | undefined): ResponsesUsage | null {
  if (!usage) return null;
  const input = usage.prompt_tokens ?? 0;
  const output = usage.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens ?? input + output,
  };
}

/** Why an answer stopped short, as `incomplete_details.reason`; undefined for an answer that is complete. */
export function incompleteReason(finishReason: string | null | undefined): 'max_output_tokens' | 'content_filter' | undefined {
  if (finishReason === 'length') return 'max_output_tokens';
  if (finishReason === 'content_filter') return 'content_filter';
  return undefined;
}
