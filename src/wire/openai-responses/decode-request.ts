// OpenAI's Responses request (POST /v1/responses), checked and turned into the pipeline's chat body. One
// validator for this wire: every field is checked where it is decoded, and a bad one is a 400 naming it the
// way OpenAI does (`input[2].content[0].type`). Every model is reached by translation to chat completions.
import { type ChatBody, isJsonObject, type JsonObject } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';

/** What the decoder needs to know about the model the request goes to (the route resolves it). */
export interface DecodeOptions {
  /** The model takes `reasoning_effort` (OpenAI's reasoning models): `reasoning.effort` becomes it. */
  readonly reasoning: boolean;
  /** The output-limit field the model reads. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

/** The request's settings a Responses answer repeats back (`instructions`, `tools`, `text`, …). */
export type ResponseEcho = JsonObject;

/** A decoded Responses request. */
export interface DecodedResponses {
  /** The chat body for the pipeline (`model` as the client wrote it). */
  readonly body: ChatBody;
  readonly stream: boolean;
  /** Whether oldest turns may be dropped to fit the context window (`truncation: "auto"`). */
  readonly truncate: boolean;
  /** Names of Codex's freeform `custom` tools: their calls are answered as `custom_tool_call` items. */
  readonly customTools: ReadonlySet<string>;
  readonly echo: ResponseEcho;
  /** Whether to keep the response (`store`, true unless the request says false). */
  readonly store: boolean;
  /** The stored response this one continues, if any. */
  readonly previousResponseId: string | null;
  /** The request's input as chat messages (the body's messages after those of `instructions`). */
  readonly inputMessages: readonly JsonObject[];
  /** The request's input as items (a string input as one user message item), as `input_items` lists them. */
  readonly inputItems: readonly JsonObject[];
}

/** Top-level fields this surface knows; anything else is refused, as OpenAI refuses it ("Unknown parameter"). */
const FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'max_output_tokens',
  'temperature',
  'top_p',
  'metadata',
  'store',
  'include',
  'stream',
  'stream_options',
  'truncation',
  'user',
  // Accepted and not translated: hints whose absence changes no answer (cache routing, tier, abuse ids, hosted-tool caps).
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'safety_identifier',
  'max_tool_calls',
  'top_logprobs',
  'client_metadata', // Codex's ids of its installation, session and turn
  // Continues a response this gateway stored for the same key.
  'previous_response_id',
  // Known, refused unless empty: they need OpenAI's stored state (conversations, prompt templates, background runs).
  'conversation',
  'prompt',
  'background',
]);
const NEEDS_STORED_STATE = ['conversation', 'prompt', 'background'];

/**
 * Why a built-in tool type is refused: OpenAI runs it on its servers (web and file search, code interpreter, MCP,
 * image generation) or only OpenAI's own models are trained to call it (computer use, local shell), and
 * chat completions, which every model is reached by here, have no such tool.
 */
const UNTRANSLATABLE =
  'has no chat-completions equivalent (OpenAI runs it as a hosted tool, or only its own models know how to call it), so this gateway cannot translate it';

const fail = (path: string, message: string) => invalidField(path, `Invalid '${path}': ${message}`);

function object(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw fail(path, 'expected an object.');
  return value;
}
function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw fail(path, 'expected a string.');
  return value;
}
function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw fail(path, 'expected an array.');
  return value;
}
function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw fail(path, 'expected a boolean.');
  return value;
}
function number(value: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw fail(path, `expected ${integer ? 'an integer' : 'a number'}.`);
  if (value < min || value > max) throw fail(path, `must be between ${min} and ${max}; got ${value}.`);
  return value;
}
function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(value as T))
    throw fail(path, `must be one of ${values.map((v) => `'${v}'`).join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}
const given = (value: unknown): boolean => value !== undefined && value !== null;

/** The `model` of a Responses request (required), so the route can resolve it before decoding the rest. */
export function requestedModel(input: JsonObject): string {
  if (input['model'] === undefined) throw invalidField('model', "Missing required parameter: 'model'.", 'missing_field');
  const model = string(input['model'], 'model').trim();
  if (model === '') throw fail('model', 'must not be empty.');
  return model;
}

/**
 * Checks a Responses request and decodes it into a chat body: `instructions` and system/developer items into
 * system messages, `input_text`/`input_image`/`input_file` parts, `function_call` items into `tool_calls` and
 * `function_call_output` into tool messages, function and `custom` tools, `tool_choice`, `text.format` into
 * `response_format`, `reasoning.effort` where the model has it, `max_output_tokens`, `temperature`/`top_p`.
 * @example decodeResponsesRequest({ model: 'openai/gpt-4o-mini', input: 'Hi' }, { reasoning: false, maxTokensField: 'max_tokens' })
 */
export function decodeResponsesRequest(input: JsonObject, options: DecodeOptions): DecodedResponses {
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) throw invalidField(key, `Unknown parameter: '${key}'.`, 'unknown_field');
    if (NEEDS_STORED_STATE.includes(key) && given(input[key]) && input[key] !== false)
      throw fail(
        key,
        'this gateway keeps no conversations, prompts or background runs; send the conversation in `input`, or continue a stored response with `previous_response_id`.',
      );
  }
  const model = requestedModel(input);
  const body: ChatBody = { model, messages: [] };
  const echo: ResponseEcho = {};

  const instructions = given(input['instructions']) ? string(input['instructions'], 'instructions') : null;
  if (instructions) body.messages.push({ role: 'system', content: instructions });
  echo['instructions'] = instructions;
  if (input['input'] === undefined) throw invalidField('input', "Missing required parameter: 'input'.", 'missing_field');
  const inputItems: JsonObject[] =
    typeof input['input'] === 'string'
      ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input['input'] }] }]
      : list(input['input'], 'input').map((item, i) => object(item, `input[${i}]`));
  const inputMessages = typeof input['input'] === 'string' ? [{ role: 'user', content: input['input'] }] : chatMessages(inputItems);
  body.messages.push(...inputMessages);
  const previousResponseId = given(input['previous_response_id']) ? string(input['previous_response_id'], 'previous_response_id') : null;
  // A continuation may add only instructions or tool outputs to the stored conversation; a new one needs a message.
  if (!previousResponseId && !body.messages.some((m) => (m as JsonObject)['role'] !== 'system'))
    throw fail('input', 'must hold at least one message.');

  const stream = given(input['stream']) ? boolean(input['stream'], 'stream') : false;
  if (given(input['stream_options'])) object(input['stream_options'], 'stream_options');
  if (given(input['max_output_tokens']))
    body[options.maxTokensField] = number(input['max_output_tokens'], 'max_output_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  echo['max_output_tokens'] = input['max_output_tokens'] ?? null;
  if (given(input['temperature'])) body['temperature'] = number(input['temperature'], 'temperature', 0, 2);
  echo['temperature'] = input['temperature'] ?? 1;
  if (given(input['top_p'])) body['top_p'] = number(input['top_p'], 'top_p', 0, 1);
  echo['top_p'] = input['top_p'] ?? 1;
  if (given(input['user'])) body['user'] = string(input['user'], 'user');
  echo['user'] = input['user'] ?? null;
  echo['metadata'] = metadataOf(input['metadata']);
  const store = given(input['store']) ? boolean(input['store'], 'store') : true;
  // `include`: nothing it can ask for is made here (no reasoning items, no hosted tools), so it adds nothing.
  if (given(input['include'])) for (const [i, v] of list(input['include'], 'include').entries()) string(v, `include[${i}]`);
  const truncation = given(input['truncation']) ? oneOf(input['truncation'], 'truncation', ['auto', 'disabled']) : 'disabled';
  echo['truncation'] = truncation;

  const customTools = new Set<string>();
  const tools = given(input['tools']) ? list(input['tools'], 'tools').map((t, i) => chatTool(t, `tools[${i}]`, customTools)) : [];
  if (tools.length > 0) body['tools'] = tools;
  echo['tools'] = given(input['tools']) ? input['tools'] : [];
  echo['tool_choice'] = toolChoice(input['tool_choice'], body, tools.length > 0);
  const parallel = given(input['parallel_tool_calls']) ? boolean(input['parallel_tool_calls'], 'parallel_tool_calls') : true;
  if (tools.length > 0 && given(input['parallel_tool_calls'])) body['parallel_tool_calls'] = parallel;
  echo['parallel_tool_calls'] = parallel;
  echo['text'] = textFormat(input['text'], body);
  echo['reasoning'] = reasoningOf(input['reasoning'], body, options);
  return { body, stream, truncate: truncation === 'auto', customTools, echo, store, previousResponseId, inputMessages, inputItems };
}

/**
 * The chat body of a request that continues a stored conversation: its instructions (a previous response's are not
 * carried over, as at OpenAI), the stored conversation, then its own input.
 */
export function continuedBody(decoded: DecodedResponses, history: readonly JsonObject[]): ChatBody {
  const { messages } = decoded.body;
  const instructions = messages.slice(0, messages.length - decoded.inputMessages.length);
  return { ...decoded.body, messages: [...instructions, ...history, ...decoded.inputMessages] };
}

/** A response's output items as the chat messages a later turn sends back (reasoning items are dropped, as input). */
export const outputMessages = (output: readonly JsonObject[]): JsonObject[] => chatMessages([...output]);

/** `metadata`: at most 16 string values, as OpenAI allows; answered back, not sent to the model. */
function metadataOf(value: unknown): JsonObject {
  if (!given(value)) return {};
  const metadata = object(value, 'metadata');
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw fail('metadata', 'may hold at most 16 keys.');
  for (const [key, v] of entries) string(v, `metadata.${key}`);
  return metadata;
}

/** The input items as chat messages: consecutive assistant output (text, calls) folds into one assistant message. */
function chatMessages(items: unknown[]): JsonObject[] {
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

/** The one string argument a freeform `custom` tool is given as a function. */
const customParameters = (description: string | undefined): JsonObject => ({
  type: 'object',
  properties: { input: { type: 'string', ...(description ? { description } : {}) } },
  required: ['input'],
  additionalProperties: false,
});

/** A function tool in the chat wire's nested shape; a `custom` tool as a function of one string; hosted tools refused. */
function chatTool(value: unknown, path: string, customTools: Set<string>): JsonObject {
  const tool = object(value, path);
  const type = string(tool['type'], `${path}.type`);
  if (type === 'function') {
    const fn: JsonObject = { name: string(tool['name'], `${path}.name`) };
    if (given(tool['description'])) fn['description'] = string(tool['description'], `${path}.description`);
    fn['parameters'] = given(tool['parameters']) ? object(tool['parameters'], `${path}.parameters`) : { type: 'object', properties: {} };
    if (given(tool['strict'])) fn['strict'] = boolean(tool['strict'], `${path}.strict`);
    return { type: 'function', function: fn };
  }
  if (type === 'custom') {
    const name = string(tool['name'], `${path}.name`);
    const description = given(tool['description']) ? string(tool['description'], `${path}.description`) : undefined;
    // A grammar or format the model must follow travels as the argument's description: no chat wire can enforce it.
    const format = given(tool['format']) ? object(tool['format'], `${path}.format`) : undefined;
    const hint =
      format && format['type'] !== 'text'
        ? `Follow this ${String(format['syntax'] ?? 'grammar')} grammar:\n${String(format['definition'] ?? '')}`
        : undefined;
    customTools.add(name);
    return { type: 'function', function: { name, ...(description ? { description } : {}), parameters: customParameters(hint) } };
  }
  const name = typeof tool['name'] === 'string' ? ` ("${tool['name']}")` : '';
  throw fail(`${path}.type`, `the tool '${type}'${name} ${UNTRANSLATABLE}. Define it as a function or custom tool instead.`);
}

/** `tool_choice`: the same modes as chat completions; a named function or custom tool as a named function. */
function toolChoice(value: unknown, body: ChatBody, hasTools: boolean): unknown {
  if (!given(value)) return 'auto';
  let choice: unknown;
  if (typeof value === 'string') choice = oneOf(value, 'tool_choice', ['auto', 'none', 'required']);
  else {
    const c = object(value, 'tool_choice');
    const type = string(c['type'], 'tool_choice.type');
    if (type !== 'function' && type !== 'custom')
      throw fail('tool_choice.type', `'${type}' cannot be chosen here: only function and custom tools can (built-in tools are refused).`);
    choice = { type: 'function', function: { name: string(c['name'], 'tool_choice.name') } };
  }
  // Chat completions refuse a tool choice without tools.
  if (hasTools) body['tool_choice'] = choice;
  return value;
}

/** `text.format` as `response_format`; `text.verbosity` is accepted and not translated (no chat provider but OpenAI has it). */
function textFormat(value: unknown, body: ChatBody): JsonObject {
  if (!given(value)) return { format: { type: 'text' } };
  const text = object(value, 'text');
  if (given(text['verbosity'])) oneOf(text['verbosity'], 'text.verbosity', ['low', 'medium', 'high']);
  if (!given(text['format'])) return { ...text, format: { type: 'text' } };
  const format = object(text['format'], 'text.format');
  const type = oneOf(format['type'], 'text.format.type', ['text', 'json_object', 'json_schema']);
  if (type === 'json_object') body['response_format'] = { type: 'json_object' };
  if (type === 'json_schema') {
    const schema: JsonObject = { name: string(format['name'], 'text.format.name'), schema: object(format['schema'], 'text.format.schema') };
    if (given(format['description'])) schema['description'] = string(format['description'], 'text.format.description');
    if (given(format['strict'])) schema['strict'] = boolean(format['strict'], 'text.format.strict');
    body['response_format'] = { type: 'json_schema', json_schema: schema };
  }
  return text;
}

/** `reasoning.effort` as `reasoning_effort` for models that reason; `summary` is accepted (no summaries are made). */
function reasoningOf(value: unknown, body: ChatBody, options: DecodeOptions): JsonObject {
  if (!given(value)) return { effort: null, summary: null };
  const reasoning = object(value, 'reasoning');
  const effort = given(reasoning['effort'])
    ? oneOf(reasoning['effort'], 'reasoning.effort', ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])
    : null;
  const summary = reasoning['summary'] ?? reasoning['generate_summary'] ?? null;
  if (summary !== null) oneOf(summary, 'reasoning.summary', ['auto', 'concise', 'detailed']);
  if (effort && options.reasoning) body['reasoning_effort'] = effort;
  return { effort, summary };
}
