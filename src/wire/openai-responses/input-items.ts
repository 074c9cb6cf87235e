// A Responses request's input items as chat messages: message items with their content parts, function calls and
// their outputs, reasoning items dropped.
import type { JsonObject } from '../../core/types.ts';
import { fail, given, list, object, oneOf, string } from './checks.ts';

/** The input items as chat messages: consecutive assistant output (text, calls) folds into one assistant message. */
export function chatMessages(items: unknown[]): JsonObject[] {
  const messages: JsonObject[] = [];
  /** The assistant message the next call or assistant text joins, while nothing else came between. */
  let assistant: JsonObject | undefined;
  const joinAssistant = (): JsonObject => {
    if (!assistant) {
      assistant = { role: 'assistant', content: null };
      messages.push(assistant);
    }
    return assistant;
  };
  const addCall = (id: string, name: string, args: string) => {
    const message = joinAssistant();
    message['tool_calls'] = [
      ...((message['tool_calls'] as unknown[]) ?? []),
      { id, type: 'function', function: { name, arguments: args } },
    ];
  };
  /** Images and files tools returned: a tool message holds text only, so they follow the tool messages as the user's. */
  let returned: JsonObject[] = [];
  const flushReturned = () => {
    if (returned.length > 0) messages.push({ role: 'user', content: returned });
    returned = [];
  };
  items.forEach((value, i) => {
    const path = `input[${i}]`;
    const item = object(value, path);
    const type = item['type'] ?? 'message';
    const isOutput = type === 'function_call_output' || type === 'custom_tool_call_output';
    if (!isOutput && type !== 'reasoning') flushReturned();
    if (type === 'message') {
      const message = inputMessage(item, path);
      if (message['role'] !== 'assistant') {
        assistant = undefined;
        messages.push(message);
      } else if (assistant && !assistant['tool_calls']) {
        assistant['content'] = [assistant['content'], message['content']].filter(Boolean).join('\n\n');
      } else {
        assistant = message;
        messages.push(message);
      }
    } else if (type === 'function_call') {
      addCall(
        string(item['call_id'], `${path}.call_id`),
        string(item['name'], `${path}.name`),
        string(item['arguments'], `${path}.arguments`),
      );
    } else if (type === 'custom_tool_call') {
      const input = string(item['input'], `${path}.input`);
      addCall(string(item['call_id'], `${path}.call_id`), string(item['name'], `${path}.name`), JSON.stringify({ input }));
    } else if (isOutput) {
      assistant = undefined;
      const { text, parts } = toolOutput(item['output'], `${path}.output`);
      messages.push({ role: 'tool', tool_call_id: string(item['call_id'], `${path}.call_id`), content: text });
      returned.push(...parts);
    } else if (type === 'reasoning') {
      // Reasoning is the model's own, encrypted for OpenAI's servers or summarised: no chat provider takes it back.
    } else if (type === 'item_reference') {
      // The route puts the stored item in its place before decoding (routes/responses.ts); one left here names none.
      throw fail(`${path}.id`, 'names no item of a response this key stored; send the item itself.');
    } else
      throw fail(
        `${path}.type`,
        `items of type '${String(type)}' cannot be sent here (message, function_call, function_call_output, custom_tool_call, custom_tool_call_output and reasoning can).`,
      );
  });
  flushReturned();
  return messages;
}

const ROLES = ['user', 'assistant', 'system', 'developer'] as const;

/** A message item: user/system/developer content as chat parts, assistant content as its text. */
function inputMessage(item: JsonObject, path: string): JsonObject {
  const role = oneOf(item['role'], `${path}.role`, ROLES);
  // Developer instructions are system instructions to every chat provider (OpenAI's own treat them alike).
  const chatRole = role === 'developer' ? 'system' : role;
  const content = item['content'];
  if (typeof content === 'string') return { role: chatRole, content };
  const parts = list(content, `${path}.content`).map((p, j) => object(p, `${path}.content[${j}]`));
  if (role === 'assistant') {
    const text = parts.map((p, j) => {
      const at = `${path}.content[${j}]`;
      if (p['type'] === 'output_text' || p['type'] === 'input_text') return string(p['text'], `${at}.text`);
      if (p['type'] === 'refusal') return string(p['refusal'], `${at}.refusal`);
      throw fail(`${at}.type`, `must be 'output_text' or 'refusal' in an assistant message; got ${JSON.stringify(p['type'])}.`);
    });
    return { role: 'assistant', content: text.join('') };
  }
  const chatParts = parts.map((p, j) => inputPart(p, `${path}.content[${j}]`));
  // System messages take text only on the chat wire; a lone text part is plain content.
  if (chatRole === 'system' || (chatParts.length === 1 && chatParts[0]?.['type'] === 'text')) {
    if (chatParts.some((p) => p['type'] !== 'text')) throw fail(`${path}.content`, `${role} messages may hold text only.`);
    return { role: chatRole, content: chatParts.map((p) => p['text']).join('\n') };
  }
  return { role: chatRole, content: chatParts };
}

/** An input content part as a chat part. */
function inputPart(part: JsonObject, path: string): JsonObject {
  const type = part['type'];
  if (type === 'input_text') return { type: 'text', text: string(part['text'], `${path}.text`) };
  if (type === 'input_image') {
    if (!given(part['image_url']))
      throw fail(`${path}.image_url`, 'is required here (files uploaded to OpenAI, `file_id`, cannot be read by this gateway).');
    const image: JsonObject = { url: string(part['image_url'], `${path}.image_url`) };
    if (given(part['detail'])) image['detail'] = oneOf(part['detail'], `${path}.detail`, ['auto', 'low', 'high', 'original']);
    if (image['detail'] === 'original') image['detail'] = 'high';
    return { type: 'image_url', image_url: image };
  }
  if (type === 'input_file') {
    if (!given(part['file_data']))
      throw fail(`${path}.file_data`, 'is required here (files uploaded to OpenAI or given by URL cannot be read by this gateway).');
    const file: JsonObject = { file_data: string(part['file_data'], `${path}.file_data`) };
    file['filename'] = given(part['filename']) ? string(part['filename'], `${path}.filename`) : 'file';
    return { type: 'file', file };
  }
  throw fail(`${path}.type`, `must be one of 'input_text', 'input_image', 'input_file'; got ${JSON.stringify(type)}.`);
}

/** A tool's output: a string, or input parts: their text for the tool message, their images and files apart. */
function toolOutput(output: unknown, path: string): { text: string; parts: JsonObject[] } {
  if (typeof output === 'string') return { text: output, parts: [] };
  const texts: string[] = [];
  const parts: JsonObject[] = [];
  for (const [j, p] of list(output, path).entries()) {
    const part = inputPart(object(p, `${path}[${j}]`), `${path}[${j}]`);
    if (part['type'] === 'text') texts.push(String(part['text']));
    else parts.push(part);
  }
  return { text: texts.join('\n'), parts };
}
