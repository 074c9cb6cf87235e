// Anthropic's Messages request (POST /v1/messages, /v1/messages/count_tokens), checked and turned into the
// pipeline's chat body. One validator for this wire: every field is checked where it is decoded, and a bad
// one is a 400 naming it the way Anthropic does (`messages.0.content.1.type: …`).
import { type ChatBody, isJsonObject, type JsonObject } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';

/** What the decoder needs to know about the model the request goes to (the route resolves it). */
export interface DecodeOptions {
  /**
   * The model speaks Anthropic's own wire: Anthropic's fields (`cache_control`, thinking and its signatures,
   * server tools, `top_k`, `metadata`) ride along in the chat body, where the Anthropic adapter reads them.
   * Any other provider gets plain chat completions.
   */
  readonly native: boolean;
  /** The model takes `reasoning_effort` (OpenAI's reasoning models): `thinking` and `output_config.effort` become it. */
  readonly reasoning: boolean;
  /** The output-limit field the model reads. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** For count_tokens: `max_tokens` is not required and no answer is asked for. */
  readonly counting?: boolean;
}

/** A decoded Messages request. */
export interface DecodedMessages {
  /** The chat body for the pipeline (`model` as the client wrote it). */
  readonly body: ChatBody;
  readonly stream: boolean;
  /** Whether the client asked for thinking: reasoning text is answered as thinking blocks only then. */
  readonly thinking: boolean;
}

/** Top-level fields this surface knows; anything else is refused, as Anthropic refuses it ("Extra inputs are not permitted"). */
const FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'output_format',
  // Accepted and not translated: hints whose absence changes no answer (tier, region, speed, cache and context management).
  'service_tier',
  'inference_geo',
  'speed',
  'diagnostics',
  'cache_control',
  'context_management',
  // Known, refused: they need Anthropic's servers (MCP connectors, code-execution containers).
  'container',
  'mcp_servers',
]);
const NEEDS_ANTHROPIC = ['container', 'mcp_servers'];

const fail = (path: string, message: string) => invalidField(path, `${path}: ${message}`);

function object(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw fail(path, 'must be an object.');
  return value;
}
function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw fail(path, 'must be a string.');
  return value;
}
function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw fail(path, 'must be an array.');
  return value;
}
function number(value: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw fail(path, `must be ${integer ? 'an integer' : 'a number'}.`);
  if (value < min || value > max) throw fail(path, `must be between ${min} and ${max}; got ${value}.`);
  return value;
}
function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(value as T)) throw fail(path, `must be one of ${values.map((v) => `"${v}"`).join(', ')}.`);
  return value as T;
}

/** The `model` of a Messages request (required), so the route can resolve it before decoding the rest. */
export function requestedModel(input: JsonObject): string {
  if (input['model'] === undefined) throw invalidField('model', 'model: Field required.', 'missing_field');
  const model = string(input['model'], 'model').trim();
  if (model === '') throw fail('model', 'must not be empty.');
  return model;
}

/**
 * Checks a Messages request and decodes it into a chat body: system blocks into a system message, text and
 * image blocks into parts, `tool_use` into `tool_calls` and `tool_result` into tool messages, tools and
 * `tool_choice`, `stop_sequences`, `max_tokens`, `temperature`/`top_p`, thinking into `reasoning_effort` where
 * the model has it, `output_config.format` into `response_format`.
 * @example decodeMessagesRequest({ model: 'openai/gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, options)
 */
export function decodeMessagesRequest(input: JsonObject, options: DecodeOptions): DecodedMessages {
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) throw invalidField(key, `${key}: Extra inputs are not permitted.`, 'unknown_field');
    if (NEEDS_ANTHROPIC.includes(key) && input[key] !== undefined && input[key] !== null)
      throw fail(
        key,
        "is not supported by this gateway: it needs Anthropic's own servers, which this gateway does not pass requests to unchanged.",
      );
  }
  const model = requestedModel(input);
  const body: ChatBody = { model, messages: [] };
  const system = systemMessage(input['system'], 'system', options.native);
  if (system) body.messages.push(system);
  if (input['messages'] === undefined) throw invalidField('messages', 'messages: Field required.', 'missing_field');
  const turns = list(input['messages'], 'messages');
  if (turns.length === 0 && !options.counting) throw fail('messages', 'must hold at least one message.');
  for (const [i, turn] of turns.entries()) body.messages.push(...chatMessages(turn, `messages.${i}`, i > 0, options.native));

  if (input['max_tokens'] !== undefined || !options.counting) {
    if (input['max_tokens'] === undefined) throw invalidField('max_tokens', 'max_tokens: Field required.', 'missing_field');
    body[options.maxTokensField] = number(input['max_tokens'], 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  }
  const stream = input['stream'] === undefined ? false : input['stream'] === true;
  if (input['stream'] !== undefined && typeof input['stream'] !== 'boolean') throw fail('stream', 'must be a boolean.');
  if (input['temperature'] !== undefined) body['temperature'] = number(input['temperature'], 'temperature', 0, 1);
  if (input['top_p'] !== undefined) body['top_p'] = number(input['top_p'], 'top_p', 0, 1);
  if (input['top_k'] !== undefined) {
    const topK = number(input['top_k'], 'top_k', 0, Number.MAX_SAFE_INTEGER, true);
    // A sampling hint only Anthropic's models take; other providers have no such field.
    if (options.native) body['top_k'] = topK;
  }
  if (input['stop_sequences'] !== undefined) {
    const stop = list(input['stop_sequences'], 'stop_sequences').map((s, i) => string(s, `stop_sequences.${i}`));
    if (stop.length > 0) body['stop'] = stop;
  }
  if (input['metadata'] !== undefined && input['metadata'] !== null) {
    const userId = object(input['metadata'], 'metadata')['user_id'];
    if (userId !== undefined && userId !== null) string(userId, 'metadata.user_id');
    // Anthropic's adapter sends `user` back as metadata.user_id; other providers' `user` fields have other limits.
    if (options.native && typeof userId === 'string') body['user'] = userId;
  }
  const tools =
    input['tools'] === undefined ? [] : list(input['tools'], 'tools').map((t, j) => chatTool(t, `tools.${j}`, model, options.native));
  if (tools.length > 0) body['tools'] = tools;
  if (input['tool_choice'] !== undefined) toolChoice(object(input['tool_choice'], 'tool_choice'), body, tools.length > 0);
  const thinking = thinkingOf(input['thinking'], body, options);
  outputConfig(input['output_config'], input['output_format'], body, options);
  return { body, stream, thinking };
}

/** `system`: a string or text blocks. Anthropic's models keep the blocks (and their `cache_control`); others get one string. */
function systemMessage(system: unknown, path: string, native: boolean): JsonObject | undefined {
  if (system === undefined || system === null || system === '') return undefined;
  if (typeof system === 'string') return { role: 'system', content: system };
  const blocks = list(system, path).map((b, i) => textBlock(b, `${path}.${i}`));
  if (blocks.length === 0) return undefined;
  return { role: 'system', content: native ? blocks : blocks.map((b) => b['text']).join('\n') };
}

function textBlock(block: unknown, path: string): JsonObject {
  const b = object(block, path);
  if (b['type'] !== 'text') throw fail(`${path}.type`, 'must be "text" here.');
  string(b['text'], `${path}.text`);
  return b;
}

/**
 * One Messages turn as chat messages (a user turn with tool results is several: the tool messages, then the
 * user's own words). After the first turn a system turn is taken too: Claude Code sends them mid-conversation
 * (its beta `mid-conversation-system-2026-04-07`); a conversation still opens with `system` and a user turn.
 */
function chatMessages(turn: unknown, path: string, midConversation: boolean, native: boolean): JsonObject[] {
  const t = object(turn, path);
  const role = oneOf(t['role'], `${path}.role`, midConversation ? ['user', 'assistant', 'system'] : ['user', 'assistant']);
  const content = t['content'];
  if (role === 'system') return [systemMessage(content, `${path}.content`, native)].filter((m) => m !== undefined);
  if (typeof content === 'string') return [{ role, content }];
  const blocks = list(content, `${path}.content`).map((b, j) => object(b, `${path}.content.${j}`));
  return role === 'user' ? userMessages(blocks, `${path}.content`, native) : [assistantMessage(blocks, `${path}.content`, native)];
}

/** What each block kind becomes on the user side: a part of the user message, or a tool message. */
function userMessages(blocks: JsonObject[], path: string, native: boolean): JsonObject[] {
  const results: JsonObject[] = [];
  const parts: JsonObject[] = [];
  blocks.forEach((b, j) => {
    const at = `${path}.${j}`;
    if (b['type'] === 'text') parts.push(textPart(textBlock(b, at), native));
    else if (b['type'] === 'image') parts.push(imagePart(b, at, native));
    else if (b['type'] === 'document') parts.push(documentPart(b, at));
    else if (b['type'] === 'tool_result') {
      const { message, images } = toolMessage(b, at, native);
      results.push(message);
      // A tool message holds text only: images a tool returned follow in the user message.
      parts.push(...images);
    } else
      throw fail(
        `${at}.type`,
        `blocks of type "${String(b['type'])}" cannot be sent in a user turn here (text, image, document and tool_result can).`,
      );
  });
  // OpenAI's wire wants tool results right after the assistant's calls, before anything else the user says.
  if (parts.length === 0) return results;
  const plain = parts.length === 1 && Object.keys(parts[0] ?? {}).length === 2 && parts[0]?.['type'] === 'text';
  return [...results, { role: 'user', content: plain ? parts[0]?.['text'] : parts }];
}

/** A text block as a text part; Anthropic's models keep its extra keys (`cache_control`, `citations`). */
const textPart = (block: JsonObject, native: boolean): JsonObject => (native ? { ...block } : { type: 'text', text: block['text'] });

function imagePart(block: JsonObject, path: string, native: boolean): JsonObject {
  const source = object(block['source'], `${path}.source`);
  let url: string;
  if (source['type'] === 'base64')
    url = `data:${string(source['media_type'], `${path}.source.media_type`)};base64,${string(source['data'], `${path}.source.data`)}`;
  else if (source['type'] === 'url') url = string(source['url'], `${path}.source.url`);
  else throw fail(`${path}.source.type`, 'must be "base64" or "url" (files uploaded to Anthropic cannot be read here).');
  const part: JsonObject = { type: 'image_url', image_url: { url } };
  if (native && isJsonObject(block['cache_control'])) part['cache_control'] = block['cache_control'];
  return part;
}

/** A document: plain text as text, a base64 PDF as OpenAI's `file` part. */
function documentPart(block: JsonObject, path: string): JsonObject {
  const source = object(block['source'], `${path}.source`);
  if (source['type'] === 'text') return { type: 'text', text: string(source['data'], `${path}.source.data`) };
  if (source['type'] === 'base64') {
    const media = string(source['media_type'], `${path}.source.media_type`);
    const title = typeof block['title'] === 'string' ? block['title'] : 'document.pdf';
    return { type: 'file', file: { filename: title, file_data: `data:${media};base64,${string(source['data'], `${path}.source.data`)}` } };
  }
  throw fail(`${path}.source.type`, 'must be "text" or "base64" here.');
}

/** A `tool_result` block as a tool message (its text), and the images it held. */
function toolMessage(block: JsonObject, path: string, native: boolean): { message: JsonObject; images: JsonObject[] } {
  const id = string(block['tool_use_id'], `${path}.tool_use_id`);
  const content = block['content'];
  const texts: string[] = [];
  const images: JsonObject[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (content !== undefined && content !== null)
    list(content, `${path}.content`).forEach((part, k) => {
      const p = object(part, `${path}.content.${k}`);
      if (p['type'] === 'text') texts.push(string(p['text'], `${path}.content.${k}.text`));
      else if (p['type'] === 'image') images.push(imagePart(p, `${path}.content.${k}`, native));
      else if (p['type'] === 'document') images.push(documentPart(p, `${path}.content.${k}`));
      else throw fail(`${path}.content.${k}.type`, 'must be "text", "image" or "document".');
    });
  const isError = block['is_error'] === true;
  const message: JsonObject = { role: 'tool', tool_call_id: id, content: texts.join('\n') };
  if (native) {
    if (isError) message['is_error'] = true;
    if (isJsonObject(block['cache_control'])) message['cache_control'] = block['cache_control'];
  } else if (isError) message['content'] = `Error: ${message['content']}`;
  return { message, images };
}

/** An assistant turn: text, tool calls and (for Anthropic's models) its thinking blocks with their signatures. */
function assistantMessage(blocks: JsonObject[], path: string, native: boolean): JsonObject {
  const texts: JsonObject[] = [];
  const calls: JsonObject[] = [];
  const thinking: JsonObject[] = [];
  blocks.forEach((b, j) => {
    const at = `${path}.${j}`;
    if (b['type'] === 'text') texts.push(textBlock(b, at));
    else if (b['type'] === 'tool_use') {
      const input = b['input'] === undefined ? {} : object(b['input'], `${at}.input`);
      calls.push({
        id: string(b['id'], `${at}.id`),
        type: 'function',
        function: { name: string(b['name'], `${at}.name`), arguments: JSON.stringify(input) },
      });
    } else if (b['type'] === 'thinking' || b['type'] === 'redacted_thinking') {
      // Signed thinking goes back to Anthropic unchanged; other providers take no reasoning back, and unsigned
      // thinking (another provider's reasoning, from earlier in a conversation that changed model) Anthropic would refuse.
      if (native && (b['type'] === 'redacted_thinking' || (typeof b['signature'] === 'string' && b['signature'] !== ''))) thinking.push(b);
    } else
      throw fail(
        `${at}.type`,
        `blocks of type "${String(b['type'])}" cannot be sent in an assistant turn here (text, tool_use and thinking can).`,
      );
  });
  const keepParts = native && texts.some((t) => Object.keys(t).length > 2);
  const text = texts.map((t) => String(t['text'])).join('\n\n');
  const message: JsonObject = {
    role: 'assistant',
    content: keepParts ? texts.map((t) => ({ ...t })) : text === '' && calls.length > 0 ? null : text,
  };
  if (calls.length > 0) message['tool_calls'] = calls;
  if (thinking.length > 0) message['thinking_blocks'] = thinking;
  return message;
}

/** A client tool as a function tool; Anthropic's server tools (web search, code execution) only where the model is Anthropic's. */
function chatTool(tool: unknown, path: string, model: string, native: boolean): JsonObject {
  const t = object(tool, path);
  const name = string(t['name'], `${path}.name`);
  if (t['type'] !== undefined && t['type'] !== null && t['type'] !== 'custom') {
    if (native) return t;
    throw fail(
      path,
      `"${name}" (${String(t['type'])}) is one of Anthropic's server tools, which run only on Anthropic's models; "${model}" cannot run it.`,
    );
  }
  const fn: JsonObject = { name, parameters: object(t['input_schema'], `${path}.input_schema`) };
  if (t['description'] !== undefined) fn['description'] = string(t['description'], `${path}.description`);
  if (t['strict'] === true) fn['strict'] = true;
  const out: JsonObject = { type: 'function', function: fn };
  if (native && isJsonObject(t['cache_control'])) out['cache_control'] = t['cache_control'];
  return out;
}

/** Anthropic's tool choices by their chat-completions names. */
const CHOICES: Readonly<Record<string, string>> = { auto: 'auto', any: 'required', none: 'none' };

function toolChoice(choice: JsonObject, body: ChatBody, hasTools: boolean): void {
  const type = oneOf(choice['type'], 'tool_choice.type', ['auto', 'any', 'tool', 'none']);
  const name = type === 'tool' ? string(choice['name'], 'tool_choice.name') : undefined;
  const serial = choice['disable_parallel_tool_use'];
  if (serial !== undefined && typeof serial !== 'boolean') throw fail('tool_choice.disable_parallel_tool_use', 'must be a boolean.');
  // Chat completions refuse a tool choice without tools; Anthropic ignores it.
  if (!hasTools) return;
  body['tool_choice'] = name !== undefined ? { type: 'function', function: { name } } : CHOICES[type];
  if (serial === true && type !== 'none') body['parallel_tool_calls'] = false;
}

/** Thinking budgets as OpenAI's efforts: up to 4k tokens is light thinking, past 16k is deep. */
const effortOf = (budget: number): string => (budget <= 4096 ? 'low' : budget <= 16384 ? 'medium' : 'high');

/** `thinking`: kept for Anthropic's models, an effort for reasoning models, nothing for models that do not reason. */
function thinkingOf(value: unknown, body: ChatBody, options: DecodeOptions): boolean {
  if (value === undefined || value === null) return false;
  const thinking = object(value, 'thinking');
  const type = oneOf(thinking['type'], 'thinking.type', ['enabled', 'disabled', 'adaptive']);
  const budget = type === 'enabled' ? number(thinking['budget_tokens'], 'thinking.budget_tokens', 1, Number.MAX_SAFE_INTEGER, true) : 0;
  if (options.native) body['thinking'] = thinking;
  else if (options.reasoning && type === 'enabled') body['reasoning_effort'] = effortOf(budget);
  return type !== 'disabled';
}

/** `output_config` (`effort`, `format`) and the older beta `output_format`: a JSON schema answer and an effort. */
function outputConfig(config: unknown, legacy: unknown, body: ChatBody, options: DecodeOptions): void {
  const c = config === undefined || config === null ? {} : object(config, 'output_config');
  if (c['effort'] !== undefined && c['effort'] !== null) {
    const effort = oneOf(c['effort'], 'output_config.effort', ['low', 'medium', 'high', 'max']);
    if (options.reasoning && !options.native) body['reasoning_effort'] = effort === 'max' ? 'high' : effort;
  }
  const format = c['format'] ?? legacy;
  if (format === undefined || format === null) return;
  const path = c['format'] !== undefined ? 'output_config.format' : 'output_format';
  const f = object(format, path);
  oneOf(f['type'], `${path}.type`, ['json_schema']);
  body['response_format'] = { type: 'json_schema', json_schema: { name: 'output', schema: object(f['schema'], `${path}.schema`) } };
}
