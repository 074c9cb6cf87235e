import type { ChatMessage } from './chat-input.ts';
import { type AnswerInfo, type ClientOptions, sendJson } from './request.ts';
import type { StreamEventData } from './events.ts';

/** The input of `POST /extract`: a JSON Schema, and `text` or `messages` to extract from. */
export interface ExtractInput {
  readonly schema: Record<string, unknown>;
  readonly text?: string;
  readonly messages?: readonly ChatMessage[];
  readonly instructions?: string;
  readonly model?: string;
  /** Times the model may be asked again when its answer does not match the schema (default 2, at most 5). */
  readonly max_attempts?: number;
}

/** Data that matched the schema (the gateway validated it), and how it was obtained. */
export interface ExtractAnswer<T> {
  readonly data: T;
  readonly model: string;
  readonly usage?: StreamEventData<'usage'>;
  /** Model calls spent on getting a valid answer. */
  readonly attempts: number;
  readonly info: AnswerInfo;
}

/**
 * Structured data from `POST /extract`, validated by the gateway against `schema`. A refusal or no valid
 * answer within the attempts throws `GatewayClientError` with status 422 (`refusal`, `extraction_failed`).
 *
 * @example
 * const { data } = await extract<{ name: string }>({ key, text: 'My name is Ada', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
 */
export async function extract<T = unknown>(options: ClientOptions & ExtractInput): Promise<ExtractAnswer<T>> {
  const { schema, text, messages, instructions, model, max_attempts } = options;
  const body = Object.fromEntries(
    Object.entries({ schema, text, messages, instructions, model, max_attempts }).filter(([, v]) => v !== undefined),
  );
  // The gateway's documented shape for /extract; `data` matched the caller's schema on the server.
  const { data, info } = await sendJson<Omit<ExtractAnswer<T>, 'info'>>(options, 'POST', '/extract', body);
  return { ...data, info };
}
