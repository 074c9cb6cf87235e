// OpenAI's Responses request (POST /v1/responses), checked and turned into the pipeline's chat body. One
// validator for this wire: every field is checked where it is decoded, and a bad one is a 400 naming it the
// way OpenAI does (`input[2].content[0].type`). Models are reached by translation to chat completions, but for a
// stateless request to OpenAI, which goes as it came once checked here (src/providers/openai/responses-call.ts).
import type { ChatBody, JsonObject } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';
import { boolean, fail, given, list, number, object, oneOf, string } from './checks.ts';
import { chatMessages } from './input-items.ts';
import { chatTool, toolChoice } from './tools.ts';

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
