import { invalidField } from '../../errors.ts';
import { isJsonObject, type ChatBody, type JsonObject } from '../../core/types.ts';
import { jsonSchemaFormat } from '../adapt-request.ts';
import { maxOutputTokens } from '../model-catalog.ts';

/** When neither the request nor the model table gives a `max_tokens` (which Messages requires). */
const DEFAULT_MAX_TOKENS = 4096;

type Block = JsonObject;

/** A Messages API request as the gateway sends it: the fields every request has, typed; the others (system, tools, thinking, …) as JSON. */
export interface MessagesRequest extends JsonObject {
  model: string;
  max_tokens: number;
  messages: { role: 'user' | 'assistant'; content: string | Block[] }[];
}
interface Turn {
  role: 'user' | 'assistant';
  blocks: Block[];
  /** A turn made of one plain string stays a string, as Anthropic's own clients send it. */
  text: string | undefined;
}

/**
 * A chat-completions body as an Anthropic Messages request: system and developer messages into `system`,
 * content parts into blocks (images as base64 or URL sources), assistant `tool_calls` into `tool_use` and
 * `tool` messages into `tool_result` blocks (consecutive results in one user turn, as parallel tool use needs),
 * `tool_choice`/`parallel_tool_calls`, `stop`, `max_tokens` (required there), `response_format` json_schema
 * into `output_config.format`, and `cache_control` and `thinking` passed through. Fields Messages does not
 * know are not sent: the real API refuses them.
 */
export function toMessagesRequest(body: ChatBody, model: string, stream: boolean): MessagesRequest {
  const system: Block[] = [];
  const turns: Turn[] = [];
  for (const [i, raw] of body.messages.entries()) {
    if (!isJsonObject(raw)) throw invalidField(`messages[${i}]`, `messages[${i}] must be an object.`);
    const role = raw['role'];
    if (role === 'system' || role === 'developer')
      system.push(...withCacheControl(textBlocks(raw['content'], `messages[${i}].content`), raw));
    else if (role === 'user')
      push(
        turns,
        'user',
        withCacheControl(userBlocks(raw['content'], i), raw),
        typeof raw['content'] === 'string' && !raw['cache_control'] ? raw['content'] : undefined,
      );
    else if (role === 'assistant') push(turns, 'assistant', withCacheControl(assistantBlocks(raw, i), raw), undefined);
    else if (role === 'tool') push(turns, 'user', [toolResult(raw, i)], undefined);
    else throw invalidField(`messages[${i}].role`, `messages[${i}].role "${String(role)}" cannot be sent to Anthropic.`);
  }
  const params: MessagesRequest = {
    model,
    max_tokens: maxTokens(body, model),
    messages: turns.map((t) => ({ role: t.role, content: t.text ?? t.blocks })),
  };
  const systemParam = systemOf(system, body);
  if (systemParam !== undefined) params['system'] = systemParam;
  if (stream) params['stream'] = true;
  if (typeof body['temperature'] === 'number') params['temperature'] = Math.min(1, body['temperature']); // OpenAI's range is 0–2, Anthropic's 0–1.
  if (typeof body['top_p'] === 'number') params['top_p'] = body['top_p'];
  if (typeof body['top_k'] === 'number') params['top_k'] = body['top_k'];
  const stop = typeof body['stop'] === 'string' ? [body['stop']] : Array.isArray(body['stop']) ? body['stop'] : undefined;
  if (stop && stop.length > 0) params['stop_sequences'] = stop;
  if (Array.isArray(body['tools']) && body['tools'].length > 0) params['tools'] = body['tools'].map(toolOf);
  const choice = toolChoiceOf(body['tool_choice'], body['parallel_tool_calls']);
  if (choice && params['tools']) params['tool_choice'] = choice;
  if (isJsonObject(body['thinking'])) params['thinking'] = body['thinking'];
  if (typeof body['user'] === 'string') params['metadata'] = { user_id: body['user'] };
  const format = jsonSchemaFormat(body['response_format']);
  if (format) params['output_config'] = { format: { type: 'json_schema', schema: format.schema } };
  if (typeof body['n'] === 'number' && body['n'] > 1) throw invalidField('n', 'Anthropic answers one choice per request: "n" must be 1.');
  return params;
}

function maxTokens(body: ChatBody, model: string): number {
  const asked = body['max_completion_tokens'] ?? body['max_tokens'];
  return typeof asked === 'number' ? asked : (maxOutputTokens(model) ?? DEFAULT_MAX_TOKENS);
}

/** Consecutive turns of one role are merged: tool results and the user's next words share one user turn. */
function push(turns: Turn[], role: Turn['role'], blocks: Block[], text: string | undefined): void {
  const last = turns.at(-1);
  if (last && last.role === role) {
    if (last.text !== undefined) last.blocks = [{ type: 'text', text: last.text }];
    last.text = undefined;
    last.blocks.push(...(text !== undefined ? [{ type: 'text', text }] : blocks));
    return;
  }
  turns.push({ role, blocks: text !== undefined ? [] : blocks, text });
}

/** A whole string system prompt stays a string; parts (or `cache_control`) make it blocks. */
function systemOf(blocks: Block[], body: ChatBody): string | Block[] | undefined {
  const jsonObject = isJsonObject(body['response_format']) && body['response_format']['type'] === 'json_object';
  if (jsonObject) blocks.push({ type: 'text', text: 'Reply with one JSON object and nothing else.' });
  if (blocks.length === 0) return undefined;
  const plain = blocks.every((b) => Object.keys(b).length === 2 && typeof b['text'] === 'string');
  return plain && blocks.length === 1 ? String(blocks[0]?.['text']) : blocks;
}

/** `cache_control` set on a whole message applies to its last block (where Anthropic reads it). */
function withCacheControl(blocks: Block[], message: JsonObject): Block[] {
  const last = blocks.at(-1);
  if (isJsonObject(message['cache_control']) && last) last['cache_control'] = message['cache_control'];
  return blocks;
}

function textBlocks(content: unknown, param: string): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((part, j) => {
    if (!isJsonObject(part) || typeof part['text'] !== 'string')
      throw invalidField(`${param}[${j}]`, `${param}[${j}] must be a text part here.`);
    return textBlock(part);
  });
}

/** A text part as a text block; its other keys (`cache_control`, `citations`) are Anthropic's and pass through. */
const textBlock = (part: JsonObject): Block => ({ ...part, type: 'text' });

function userBlocks(content: unknown, i: number): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content))
    throw invalidField(`messages[${i}].content`, `messages[${i}].content must be a string or an array of parts.`);
  return content.map((part, j) => {
    const param = `messages[${i}].content[${j}]`;
    if (!isJsonObject(part)) throw invalidField(param, `${param} must be an object.`);
    if (part['type'] === 'text') return textBlock(part);
    if (part['type'] === 'image_url') return imageBlock(part, param);
    throw invalidField(param, `${param}: parts of type "${String(part['type'])}" cannot be sent to Anthropic (text and image_url can).`);
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imageBlock(part: JsonObject, param: string): Block {
  const image = part['image_url'];
  const url = typeof image === 'string' ? image : isJsonObject(image) && typeof image['url'] === 'string' ? image['url'] : undefined;
  if (url === undefined) throw invalidField(param, `${param}.image_url.url is missing.`);
  const data = DATA_URL.exec(url);
  const source = data ? { type: 'base64', media_type: data[1], data: data[2] } : { type: 'url', url };
  return { type: 'image', source, ...(isJsonObject(part['cache_control']) ? { cache_control: part['cache_control'] } : {}) };
}

function assistantBlocks(message: JsonObject, i: number): Block[] {
  // Thinking blocks (with their signatures) go back first, unchanged: Anthropic checks them in tool-use turns.
  const thinking = Array.isArray(message['thinking_blocks']) ? message['thinking_blocks'].filter(isJsonObject) : [];
  const blocks: Block[] = [...thinking, ...textBlocks(message['content'], `messages[${i}].content`)];
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  for (const [j, call] of calls.entries()) {
    const param = `messages[${i}].tool_calls[${j}]`;
    const fn = isJsonObject(call) && isJsonObject(call['function']) ? call['function'] : undefined;
    if (!isJsonObject(call) || !fn || typeof call['id'] !== 'string' || typeof fn['name'] !== 'string')
      throw invalidField(param, `${param} needs an id and a function name.`);
    blocks.push({ type: 'tool_use', id: call['id'], name: fn['name'], input: parseArguments(fn['arguments'], param) });
  }
  return blocks;
}

function parseArguments(value: unknown, param: string): unknown {
  if (isJsonObject(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return {};
  try {
    return JSON.parse(value);
  } catch {
    throw invalidField(`${param}.function.arguments`, `${param}.function.arguments is not valid JSON.`);
  }
}

function toolResult(message: JsonObject, i: number): Block {
  const id = message['tool_call_id'];
  if (typeof id !== 'string') throw invalidField(`messages[${i}].tool_call_id`, `messages[${i}] (a tool result) needs "tool_call_id".`);
  const content = message['content'];
  const result: Block = {
    type: 'tool_result',
    tool_use_id: id,
    content: typeof content === 'string' ? content : textBlocks(content, `messages[${i}].content`),
  };
  if (message['is_error'] === true) result['is_error'] = true;
  return withCacheControl([result], message)[0] ?? result;
}

function toolOf(tool: unknown, j: number): Block {
  const fn = isJsonObject(tool) && isJsonObject(tool['function']) ? tool['function'] : undefined;
  if (!isJsonObject(tool) || tool['type'] !== 'function' || !fn || typeof fn['name'] !== 'string') {
    // Anthropic's own tool types (web_search_20250305, …) pass through as they are.
    if (isJsonObject(tool) && typeof tool['type'] === 'string' && tool['type'] !== 'function') return tool;
    throw invalidField(`tools[${j}]`, `tools[${j}] must be {type:"function", function:{name, parameters}}.`);
  }
  const out: Block = {
    name: fn['name'],
    description: typeof fn['description'] === 'string' ? fn['description'] : '',
    input_schema: isJsonObject(fn['parameters']) ? fn['parameters'] : { type: 'object', properties: {} },
  };
  if (typeof fn['description'] !== 'string') delete out['description'];
  if (fn['strict'] === true) out['strict'] = true;
  if (isJsonObject(tool['cache_control'])) out['cache_control'] = tool['cache_control'];
  return out;
}

function toolChoiceOf(choice: unknown, parallel: unknown): Block | undefined {
  let out: Block | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (isJsonObject(choice) && isJsonObject(choice['function']) && typeof choice['function']['name'] === 'string')
    out = { type: 'tool', name: choice['function']['name'] };
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}
