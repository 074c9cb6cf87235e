// The pipeline's answer (one chat completion) as an Anthropic Message.
import type { ChatCompletion, CompletionUsage } from '../../core/types.ts';
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import { type MessagesUsage, messagesUsage, stopReason } from './usage.ts';

/** An Anthropic Message, as `POST /v1/messages` answers it. */
export interface MessagesAnswer {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: JsonObject[];
  stop_reason: string;
  stop_sequence: null;
  usage: MessagesUsage;
}

/** The pipeline's message, with the extensions the accumulator keeps (reasoning text, Anthropic's signed thinking). */
export type ChatMessage = ChatCompletion.Choice['message'] & { reasoning_content?: unknown; thinking_blocks?: unknown };

/** An Anthropic message id for a completion id (Anthropic's own ids pass as they are). */
export const messageId = (id: string): string => (id.startsWith('msg_') ? id : `msg_${id}`);

/** A tool call's JSON arguments as the `input` object Anthropic's `tool_use` carries (`{}` when they are not an object). */
export function toolInput(args: string): JsonObject {
  try {
    const parsed: unknown = JSON.parse(args === '' ? '{}' : args);
    return isJsonObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * A chat completion as an Anthropic Message: thinking first (Anthropic's signed blocks as they came, or the
 * reasoning text of another provider when the client asked for thinking), then the text, then one `tool_use`
 * per tool call; `stop_reason` from the finish reason; usage with cache reads and writes apart (`options.usage`,
 * the pipeline's estimate, where the upstream reported none: Anthropic's answers always carry usage).
 * @example encodeMessage(completion, { thinking: false }).content // [{ type: 'text', text: 'Hello' }]
 */
export function encodeMessage(
  completion: ChatCompletion,
  options: { readonly thinking: boolean; readonly usage?: CompletionUsage | undefined },
): MessagesAnswer {
  const choice = completion.choices[0];
  const message = choice?.message as ChatMessage | undefined;
  const content: JsonObject[] = [];
  const signed = Array.isArray(message?.thinking_blocks) ? message.thinking_blocks.filter(isJsonObject) : [];
  if (signed.length > 0) content.push(...signed);
  else if (options.thinking && typeof message?.reasoning_content === 'string' && message.reasoning_content !== '')
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  const text = message?.content || message?.refusal;
  if (text) content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: messageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stopReason(choice?.finish_reason, Boolean(message?.refusal)),
    stop_sequence: null,
    usage: messagesUsage(completion.usage ?? options.usage),
  };
}
