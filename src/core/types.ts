// The gateway's one internal currency is the OpenAI chat wire format; these are the SDK's own types for it.
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionCreateParams,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions';
export type { CompletionUsage } from 'openai/resources/completions';
import type { CompletionUsage } from 'openai/resources/completions';

/** A chat request body as the client sent it: known fields typed loosely, every other field forwarded untouched. */
export type ChatBody = Record<string, unknown> & { messages: unknown[]; model?: string; stream?: boolean };

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether a parsed JSON value is an object (not null, not an array). */
export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Token usage with every part the providers report; `estimated` when the gateway counted it itself. */
export interface Usage extends CompletionUsage {
  readonly estimated?: boolean;
}

/** What an answer cost, in US dollars. */
export interface Cost {
  readonly usd: number;
  readonly estimated: boolean;
}
