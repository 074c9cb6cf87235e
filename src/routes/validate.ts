import type { ChatBody } from '../core/types.ts';
import { invalidField } from '../errors.ts';
import { checkOpenAiChatFields } from './openai-fields.ts';

type Json = Record<string, unknown>;

/** Checks the fields the gateway itself relies on; every other field is left for the upstream to judge. */
export function validateChatBody(body: Json): ChatBody {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0)
    throw invalidField('messages', '"messages" must be a non-empty array of messages.', 'missing_field');
  messages.forEach((m: unknown, i) => {
    if (typeof m !== 'object' || m === null || typeof (m as Json)['role'] !== 'string') {
      throw invalidField(`messages[${i}]`, `messages[${i}] must be an object with a string "role".`);
    }
  });
  optional(body, 'model', 'string');
  optional(body, 'stream', 'boolean');
  optional(body, 'stream_options', 'object');
  optional(body, 'tools', 'array');
  // The JSON types OpenAI documents, checked before an upstream call is spent on a request it would refuse.
  checkOpenAiChatFields(body);
  return body as ChatBody;
}

/** 400 naming the first field that is not in `fields`, so a typo (`max_token`) is never silently ignored. */
export function onlyFields(body: Json, fields: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw invalidField(key, `Unknown field "${key}". Accepted fields: ${fields.join(', ')}.`, 'unknown_field');
  }
}

/** 400 naming the field when it is present with the wrong JSON type. */
export function optional(body: Json, field: string, type: 'string' | 'boolean' | 'number' | 'object' | 'array'): void {
  const value = body[field];
  if (value === undefined) return;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (actual !== type)
    throw invalidField(field, `"${field}" must be a${type === 'array' || type === 'object' ? 'n' : ''} ${type}, not ${actual}.`);
}
