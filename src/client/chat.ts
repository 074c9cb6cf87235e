import { type ChatInput, chatBody } from './chat-input.ts';
import { type AnswerInfo, type ClientOptions, sendJson } from './request.ts';
import type { StreamEventData } from './events.ts';

/** The answer of `POST /chat`. */
export interface ChatAnswer {
  readonly content: string | null;
  readonly model: string;
  readonly finish_reason: string;
  readonly usage?: StreamEventData<'usage'>;
  readonly refusal?: string;
  readonly tool_calls?: readonly {
    readonly id: string;
    readonly type: 'function';
    readonly function: { readonly name: string; readonly arguments: string };
  }[];
  /** What the gateway's headers said: model, attempts, cache status, request id. */
  readonly info: AnswerInfo;
}

/**
 * One whole answer from `POST /chat`. Throws `GatewayClientError` on any failure.
 *
 * @example
 * const { content, usage } = await chat({ key, prompt: 'Hello', model: 'openai/gpt-4o-mini' });
 */
export async function chat(options: ClientOptions & ChatInput): Promise<ChatAnswer> {
  // The gateway's documented shape for /chat; trusted, not validated field by field.
  const { data, info } = await sendJson<Omit<ChatAnswer, 'info'>>(options, 'POST', '/chat', chatBody(options));
  return { ...data, info };
}
