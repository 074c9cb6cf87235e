// Usage the gateway counts itself when the upstream reported none: a stream the client aborted, or one that failed mid-way.
import type { ChatCompletion } from '../core/types.ts';
import type { Usage } from '../core/types.ts';
import { countChatTokens, type ExactAllowance, textCounter } from './count-chat.ts';
import { loadTokenizer, type Tokenizer } from './encodings.ts';

/**
 * The tokens of what was sent (messages and tools, by `countChatTokens`) and of what came back so far
 * (content, refusal, reasoning text and tool calls of every choice), marked `estimated: true`.
 * @example await estimateUsage('openai/gpt-4o', messages, undefined, outcome.completion)
 */
export async function estimateUsage(
  model: string,
  requestMessages: readonly unknown[],
  tools: readonly unknown[] | undefined,
  completionSoFar: ChatCompletion | undefined,
  allowance?: ExactAllowance,
): Promise<Usage> {
  const prompt = (await countChatTokens(model, requestMessages, tools, allowance)).tokens;
  const completion = completionSoFar ? completionTokens(await loadTokenizer(model), completionSoFar, allowance) : 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, estimated: true };
}

function completionTokens(tokenizer: Tokenizer, completion: ChatCompletion, allowance: ExactAllowance | undefined): number {
  // The usage is marked estimated as a whole already.
  const count = textCounter(tokenizer, allowance, () => {});
  let tokens = 0;
  for (const choice of completion.choices) {
    const message = choice.message as ChatCompletion.Choice['message'] & { reasoning_content?: unknown; reasoning?: unknown };
    for (const text of [message.content, message.refusal, message.reasoning_content, message.reasoning])
      if (typeof text === 'string') tokens += count(text);
    for (const call of message.tool_calls ?? [])
      if (call.type === 'function') tokens += count(call.function.name) + count(call.function.arguments);
  }
  return tokens;
}
