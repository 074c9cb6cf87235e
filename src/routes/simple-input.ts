import type { ChatBody } from '../core/types.ts';
import { invalidField } from '../errors.ts';
import { onlyFields, optional, validateChatBody } from './validate.ts';

const FIELDS = ['messages', 'prompt', 'system', 'model', 'models', 'temperature', 'max_tokens', 'top_p', 'seed', 'stop', 'tools', 'tool_choice'];

/**
 * The simple input of `/chat` and `/stream` — `{ messages | prompt, system?, model?, temperature?, max_tokens?, … }` —
 * as a chat body. Unknown fields are refused so a typo (`max_token`) is not silently ignored.
 */
export function simpleChatBody(input: Record<string, unknown>): ChatBody {
  onlyFields(input, FIELDS);
  optional(input, 'prompt', 'string');
  optional(input, 'system', 'string');
  optional(input, 'temperature', 'number');
  optional(input, 'max_tokens', 'number');
  const { prompt, system, messages, ...rest } = input;
  if (messages !== undefined && prompt !== undefined) throw invalidField('prompt', 'Send either "messages" or "prompt", not both.');
  let list: unknown[];
  if (typeof prompt === 'string') {
    if (prompt.trim() === '') throw invalidField('prompt', '"prompt" must not be empty.');
    list = [{ role: 'user', content: prompt }];
  } else if (messages === undefined) throw invalidField('messages', 'Send "messages" (an array) or "prompt" (a string).', 'missing_field');
  else list = Array.isArray(messages) ? messages : [];
  if (typeof system === 'string') list = [{ role: 'system', content: system }, ...list];
  return validateChatBody({ ...rest, messages: list });
}

/** The same input from a query string (`GET /stream?prompt=…`), numbers parsed. */
export function simpleChatQuery(url: URL): ChatBody {
  const input: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    if (key === 'access_token') continue;
    input[key] = key === 'temperature' || key === 'max_tokens' || key === 'top_p' || key === 'seed' ? Number(value) : value;
    if (typeof input[key] === 'number' && Number.isNaN(input[key])) throw invalidField(key, `"${key}" must be a number.`);
  }
  return simpleChatBody(input);
}
