// The fields of an OpenAI chat completion as providers send them, each brought to the spec's shape: finish reasons,
// roles, service tiers, content as parts, usage (Groq's too), nulls the spec does not allow; and the error for a
// body that is not one. Used by normalize.ts on stream chunks and whole answers alike.
import { GatewayError } from '../errors.ts';
import { isJsonObject, type ChatCompletionChunk, type CompletionUsage, type JsonObject } from '../core/types.ts';

export const FINISH_REASONS = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);
// What other providers say for the same thing (Anthropic, Ollama, Gemini-style and vLLM spellings).
const FINISH_ALIASES: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  eos: 'stop',
  eos_token: 'stop',
  complete: 'stop',
  max_tokens: 'length',
  model_length: 'length',
  tool_use: 'tool_calls',
  tool_call: 'tool_calls',
  function_call: 'function_call',
  safety: 'content_filter',
  recitation: 'content_filter',
  refusal: 'content_filter',
};
export const ROLES = new Set(['developer', 'system', 'user', 'assistant', 'tool']);
// The spec's enum; other values (Groq's `on_demand`) make chunks fail OpenAI's schema, so they are dropped.
export const SERVICE_TIERS = new Set(['auto', 'default', 'flex', 'scale', 'priority']);

/** Drops a `service_tier` outside the spec's enum. */
export function dropUnknownTier(o: JsonObject): void {
  if (o['service_tier'] === null || (o['service_tier'] !== undefined && !SERVICE_TIERS.has(String(o['service_tier']))))
    delete o['service_tier'];
}

/**
 * Content as an array of typed parts (Mistral) becomes the string the spec wants: text parts joined; thinking
 * parts go to `reasoning_content`, the extension field DeepSeek and xAI use (clients that do not know it ignore it).
 */
export function flattenContent(message: JsonObject): void {
  const content = message['content'];
  if (!Array.isArray(content)) return;
  let text = '';
  let thinking = '';
  for (const part of content) {
    if (!isJsonObject(part)) continue;
    if (typeof part['text'] === 'string') text += part['text'];
    else if (part['type'] === 'thinking') thinking += partsText(part['thinking']);
  }
  message['content'] = text;
  if (thinking !== '')
    message['reasoning_content'] = (typeof message['reasoning_content'] === 'string' ? message['reasoning_content'] : '') + thinking;
}

const partsText = (parts: unknown): string =>
  typeof parts === 'string'
    ? parts
    : Array.isArray(parts)
      ? parts.map((p) => (isJsonObject(p) && typeof p['text'] === 'string' ? p['text'] : '')).join('')
      : '';

/** Maps any provider's finish reason to the spec's enum; unknown non-empty values count as `stop`. */
export function finishReason(value: unknown): ChatCompletionChunk.Choice['finish_reason'] {
  if (typeof value !== 'string' || value === '') return null;
  const v = FINISH_REASONS.has(value) ? value : (FINISH_ALIASES[value] ?? 'stop');
  return v as ChatCompletionChunk.Choice['finish_reason'];
}

/** Usage in the spec's shape from `usage` or Groq's `x_groq.usage`; total computed when missing. */
export function usageOf(raw: JsonObject): CompletionUsage | undefined {
  const u = isJsonObject(raw['usage'])
    ? raw['usage']
    : isJsonObject(raw['x_groq']) && isJsonObject(raw['x_groq']['usage'])
      ? raw['x_groq']['usage']
      : undefined;
  if (!u) return undefined;
  const prompt = typeof u['prompt_tokens'] === 'number' ? u['prompt_tokens'] : 0;
  const completion = typeof u['completion_tokens'] === 'number' ? u['completion_tokens'] : 0;
  const usage: JsonObject = {
    ...u,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof u['total_tokens'] === 'number' ? u['total_tokens'] : prompt + completion,
  };
  return usage as unknown as CompletionUsage;
}

export const malformed = (what: string) =>
  new GatewayError(502, `The upstream sent a malformed ${what}.`, { type: 'upstream_error', code: 'upstream_malformed_response' });

/** Drops keys whose value is null where the spec does not allow null. */
export function dropNull(o: JsonObject, keys: readonly string[]): void {
  for (const k of keys) if (o[k] === null) delete o[k];
}
