import { CHAT_INPUT_FIELDS } from '../../client/chat-input.ts';
import { commaList } from '../../core/comma-list.ts';
import type { ChatBody } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';
import { validateChatBody } from '../openai-chat/request.ts';
import { onlyFields, optional } from './fields.ts';

/** The simple input as a chat body, plus the server tools it names. */
export interface SimpleInput {
  readonly body: ChatBody;
  /** Names of server tools (`tools: ["get_weather"]`); undefined when none are named. */
  readonly toolNames: string[] | undefined;
  readonly maxIterations: unknown;
}

/**
 * The simple input of `/chat` and `/stream` — `{ messages | prompt, system?, model?, temperature?, max_tokens?, tools?, … }` —
 * as a chat body. In `tools`, a string names a server tool the gateway runs, an object is the client's own
 * tool definition (passed through). Unknown fields are refused so a typo (`max_token`) is not silently ignored;
 * the chat fields (`temperature`, `max_tokens`, …) are checked by the Chat Completions validator, once.
 */
export function simpleChatBody(input: Record<string, unknown>): SimpleInput {
  onlyFields(input, CHAT_INPUT_FIELDS);
  optional(input, 'prompt', 'string');
  optional(input, 'system', 'string');
  optional(input, 'tools', 'array');
  const { prompt, system, messages, tools, max_iterations: maxIterations, ...rest } = input;
  const all = (tools as unknown[] | undefined) ?? [];
  const toolNames = all.filter((t): t is string => typeof t === 'string');
  const clientTools = all.filter((t) => typeof t !== 'string');
  if (clientTools.length > 0) rest['tools'] = clientTools;
  if (messages !== undefined && prompt !== undefined) throw invalidField('prompt', 'Send either "messages" or "prompt", not both.');
  let list: unknown[];
  if (typeof prompt === 'string') {
    if (prompt.trim() === '') throw invalidField('prompt', '"prompt" must not be empty.');
    list = [{ role: 'user', content: prompt }];
  } else if (messages === undefined) throw invalidField('messages', 'Send "messages" (an array) or "prompt" (a string).', 'missing_field');
  else list = Array.isArray(messages) ? messages : [];
  if (typeof system === 'string') list = [{ role: 'system', content: system }, ...list];
  return { body: validateChatBody({ ...rest, messages: list }), toolNames: toolNames.length > 0 ? toolNames : undefined, maxIterations };
}

/** The same input from a query string (`GET /stream?prompt=…`), numbers parsed. */
export function simpleChatQuery(url: URL): SimpleInput {
  const input: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    if (key === 'access_token') continue;
    if (key === 'tools') {
      input[key] = commaList(value);
      continue;
    }
    input[key] =
      key === 'temperature' || key === 'max_tokens' || key === 'top_p' || key === 'seed' || key === 'max_iterations'
        ? Number(value)
        : value;
    if (typeof input[key] === 'number' && Number.isNaN(input[key])) throw invalidField(key, `"${key}" must be a number.`);
  }
  return simpleChatBody(input);
}
