import type { ChatMessage } from './chat-input.ts';
import { type ClientOptions, sendJson } from './request.ts';

/** What `POST /v1/tokens/count` answers: the prompt's tokens and the model's limits. */
export interface TokenCount {
  readonly tokens: number;
  /** True when the count is an estimate (a model whose tokenizer the gateway does not have). */
  readonly estimated: boolean;
  readonly context_window: number | null;
  readonly max_output_tokens: number | null;
}

/**
 * Counts a conversation's prompt tokens for a model, before sending it (a token meter).
 *
 * @example
 * const { tokens, context_window } = await countTokens({ key, model: 'openai/gpt-4o-mini', messages });
 */
export async function countTokens(
  options: ClientOptions & { readonly model: string; readonly messages: readonly ChatMessage[]; readonly tools?: readonly unknown[] },
): Promise<TokenCount> {
  const { model, messages, tools } = options;
  const { data } = await sendJson<TokenCount>(
    options,
    'POST',
    '/v1/tokens/count',
    tools === undefined ? { model, messages } : { model, messages, tools },
  );
  return data;
}
