// The one validator of OpenAI's Chat Completions wire (`CreateChatCompletionRequest` in its OpenAPI spec): the JSON
// types, ranges and enums of the fields OpenAI documents, checked by hand because it runs on every request, so a
// mistake such as `max_tokens: "100"` is a 400 naming the field before an upstream call is spent. Fields it does
// not know pass untouched. Pure and without imports but the error leaf, so the mock upstream uses the same rules to
// be as strict as OpenAI.
import type { ChatBody } from '../../core/types.ts';
import {
  array,
  arrayOf,
  boolean,
  describe,
  type FieldProblem,
  firstProblem,
  isObject,
  type Json,
  list,
  mapOf,
  number,
  object,
  oneOf,
  present,
  problemError,
  reject,
  required,
  string,
  wrongType,
} from './checks.ts';

export type { FieldProblem } from './checks.ts';

/**
 * A Chat Completions body checked: a 400 naming the first field OpenAI would reject, a message without a role
 * named whole, and the fields the gateway itself reads (`stream`, `stream_options`, `tools`) refused as null too,
 * which OpenAI would take as absent.
 * @example validateChatBody({ model: 'openai/gpt-4o-mini', messages, max_tokens: '100' }) // 400, param max_tokens
 */
export function validateChatBody(body: Json): ChatBody {
  const problem = firstProblem(checkRoles, body) ?? firstProblem(checkBody, body) ?? firstProblem(checkGatewayFields, body);
  if (problem) throw problemError(problem);
  return body as ChatBody;
}

/**
 * Throws a 400 naming the first documented field whose JSON type, range or enum OpenAI would reject.
 * @example checkOpenAiChatFields({ model: 'openai/gpt-4o-mini', messages, max_tokens: '100' }) // 400, param max_tokens
 */
export function checkOpenAiChatFields(body: Json): void {
  const problem = findOpenAiChatFieldProblem(body);
  if (problem) throw problemError(problem);
}

/** The first field of a chat completions body that OpenAI would reject, or null. */
export function findOpenAiChatFieldProblem(body: Json): FieldProblem | null {
  return firstProblem(checkBody, body);
}

/** A message without a string `role` is named whole (`messages[0]`), as the gateway has always named it. */
function checkRoles(body: Json): void {
  const list = body['messages'];
  if (!Array.isArray(list)) return;
  for (const [i, m] of list.entries())
    if (isObject(m) && typeof m['role'] !== 'string')
      reject(`messages[${i}]`, `messages[${i}] must be an object with a string "role".`, 'invalid_value');
}

/** The fields the gateway reads as their type: null is refused where OpenAI would take it as absent. */
function checkGatewayFields(body: Json): void {
  if (body['stream'] === null) wrongType('stream', 'a boolean', null);
  if (body['stream_options'] === null) wrongType('stream_options', 'an object', null);
  if (body['tools'] === null) wrongType('tools', 'an array', null);
}

/**
 * The largest output limit any request may name: a 32-bit integer, as OpenAI's API takes. Larger values (1e308)
 * are refused at the door, before a budget could try to price them.
 */
export const MAX_OUTPUT_TOKENS = 2_147_483_647;

/** Numeric fields: [name, minimum, maximum, integer only]. */
const NUMBERS: readonly [string, number, number, boolean][] = [
  ['temperature', 0, 2, false],
  ['top_p', 0, 1, false],
  ['presence_penalty', -2, 2, false],
  ['frequency_penalty', -2, 2, false],
  ['n', 1, 128, true],
  ['top_logprobs', 0, 20, true],
  ['max_tokens', 1, MAX_OUTPUT_TOKENS, true],
  ['max_completion_tokens', 1, MAX_OUTPUT_TOKENS, true],
  ['seed', -Infinity, Infinity, true],
];
const BOOLEANS = ['stream', 'logprobs', 'store', 'parallel_tool_calls'] as const;
const STRINGS = ['user', 'safety_identifier', 'prompt_cache_key'] as const;
const ENUMS: readonly [string, readonly string[]][] = [
  ['reasoning_effort', ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']],
  ['service_tier', ['auto', 'default', 'flex', 'scale', 'priority', 'fast']],
  ['verbosity', ['low', 'medium', 'high']],
  ['prompt_cache_retention', ['in_memory', '24h']],
];
const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
/** Content part types each role may send (OpenAI's `ChatCompletionRequest…MessageContentPart`). */
const PART_TYPES: Record<string, readonly string[]> = {
  system: ['text'],
  developer: ['text'],
  tool: ['text'],
  user: ['text', 'image_url', 'input_audio', 'file'],
  assistant: ['text', 'refusal'],
};

function checkBody(body: Json): void {
  // Every documented field may be null (OpenAI's `nullable`) except these two.
  if (body['model'] !== undefined) string(body['model'], 'model');
  messages(body['messages']);
  for (const [field, min, max, integer] of NUMBERS) if (present(body[field])) number(body[field], field, min, max, integer);
  for (const field of BOOLEANS) if (present(body[field])) boolean(body[field], field);
  for (const field of STRINGS) if (present(body[field])) string(body[field], field);
  for (const [field, values] of ENUMS) if (present(body[field])) oneOf(body[field], field, values);
  if (present(body['stop'])) stop(body['stop']);
  if (present(body['modalities'])) arrayOf(body['modalities'], 'modalities', (v, p) => oneOf(v, p, ['text', 'audio']));
  if (present(body['logit_bias'])) mapOf(body['logit_bias'], 'logit_bias', (v, p) => number(v, p, -100, 100, true));
  if (present(body['metadata'])) mapOf(body['metadata'], 'metadata', string);
  if (present(body['stream_options'])) streamOptions(object(body['stream_options'], 'stream_options'));
  if (present(body['response_format'])) responseFormat(object(body['response_format'], 'response_format'));
  if (present(body['tools'])) arrayOf(body['tools'], 'tools', tool);
  if (present(body['tool_choice'])) toolChoice(body['tool_choice']);
  if (present(body['functions'])) arrayOf(body['functions'], 'functions', (v, p) => string(required(object(v, p), 'name', p), `${p}.name`));
  if (present(body['function_call'])) functionCall(body['function_call']);
  if (present(body['audio'])) audio(object(body['audio'], 'audio'));
  if (present(body['prediction'])) prediction(object(body['prediction'], 'prediction'));
}

function messages(value: unknown): void {
  if (value === undefined) reject('messages', "Missing required parameter: 'messages'.", 'missing_required_parameter');
  const list = array(value, 'messages');
  if (list.length === 0)
    reject(
      'messages',
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'empty_array',
    );
  for (const [i, item] of list.entries()) message(item, `messages[${i}]`);
}

function message(value: unknown, path: string): void {
  const m = object(value, path);
  const role = oneOf(required(m, 'role', path), `${path}.role`, ROLES);
  if (m['name'] !== undefined) string(m['name'], `${path}.name`);
  if (role === 'function') {
    string(required(m, 'name', path), `${path}.name`);
    if (required(m, 'content', path) !== null) string(m['content'], `${path}.content`);
    return;
  }
  if (role === 'assistant') {
    if (present(m['content'])) content(m['content'], `${path}.content`, role);
    if (present(m['refusal'])) string(m['refusal'], `${path}.refusal`);
    if (present(m['tool_calls'])) arrayOf(m['tool_calls'], `${path}.tool_calls`, toolCall);
    return;
  }
  content(required(m, 'content', path), `${path}.content`, role);
  if (role === 'tool') string(required(m, 'tool_call_id', path), `${path}.tool_call_id`);
}

function content(value: unknown, path: string, role: string): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value))
    reject(
      path,
      `Invalid type for '${path}': expected one of a string or array of objects, but got ${describe(value)} instead.`,
      'invalid_type',
    );
  if (value.length === 0)
    reject(path, `Invalid '${path}': empty array. Expected an array with minimum length 1, but got an empty array instead.`, 'empty_array');
  const allowed = PART_TYPES[role] ?? [];
  for (const [i, item] of value.entries()) {
    const p = `${path}[${i}]`;
    const part = object(item, p);
    const type = string(required(part, 'type', p), `${p}.type`);
    if (!allowed.includes(type)) {
      reject(
        `${p}.type`,
        `Invalid value: '${type}'. Supported values for a message with role '${role}' are: ${list(allowed)}.`,
        'invalid_value',
      );
    }
    contentPart(part, type, p);
  }
}

function contentPart(part: Json, type: string, path: string): void {
  if (type === 'text') string(required(part, 'text', path), `${path}.text`);
  else if (type === 'refusal') string(required(part, 'refusal', path), `${path}.refusal`);
  else if (type === 'image_url') {
    const image = object(required(part, 'image_url', path), `${path}.image_url`);
    string(required(image, 'url', `${path}.image_url`), `${path}.image_url.url`);
    if (present(image['detail'])) oneOf(image['detail'], `${path}.image_url.detail`, ['auto', 'low', 'high']);
  } else if (type === 'input_audio') {
    const audioPart = object(required(part, 'input_audio', path), `${path}.input_audio`);
    string(required(audioPart, 'data', `${path}.input_audio`), `${path}.input_audio.data`);
    oneOf(required(audioPart, 'format', `${path}.input_audio`), `${path}.input_audio.format`, ['wav', 'mp3']);
  } else if (type === 'file') object(required(part, 'file', path), `${path}.file`);
}

function toolCall(value: unknown, path: string): void {
  const call = object(value, path);
  string(required(call, 'id', path), `${path}.id`);
  const type = oneOf(required(call, 'type', path), `${path}.type`, ['function', 'custom']);
  const inner = object(required(call, type, path), `${path}.${type}`);
  string(required(inner, 'name', `${path}.${type}`), `${path}.${type}.name`);
  // Arguments as an already-parsed object is the classic mistake; OpenAI wants the JSON text.
  if (type === 'function') string(required(inner, 'arguments', `${path}.function`), `${path}.function.arguments`);
  else string(required(inner, 'input', `${path}.custom`), `${path}.custom.input`);
}

function tool(value: unknown, path: string): void {
  const t = object(value, path);
  const type = oneOf(required(t, 'type', path), `${path}.type`, ['function', 'custom']);
  const inner = object(required(t, type, path), `${path}.${type}`);
  string(required(inner, 'name', `${path}.${type}`), `${path}.${type}.name`);
  if (present(inner['description'])) string(inner['description'], `${path}.${type}.description`);
  if (type !== 'function') return;
  if (present(inner['parameters'])) object(inner['parameters'], `${path}.function.parameters`);
  if (present(inner['strict'])) boolean(inner['strict'], `${path}.function.strict`);
}

function toolChoice(value: unknown): void {
  if (typeof value === 'string') {
    oneOf(value, 'tool_choice', ['none', 'auto', 'required']);
    return;
  }
  if (!isObject(value))
    reject(
      'tool_choice',
      `Invalid type for 'tool_choice': expected one of a string or object, but got ${describe(value)} instead.`,
      'invalid_type',
    );
  const type = oneOf(required(value, 'type', 'tool_choice'), 'tool_choice.type', ['function', 'allowed_tools', 'custom']);
  const inner = object(required(value, type, 'tool_choice'), `tool_choice.${type}`);
  if (type === 'allowed_tools') {
    oneOf(required(inner, 'mode', 'tool_choice.allowed_tools'), 'tool_choice.allowed_tools.mode', ['auto', 'required']);
    array(required(inner, 'tools', 'tool_choice.allowed_tools'), 'tool_choice.allowed_tools.tools');
  } else string(required(inner, 'name', `tool_choice.${type}`), `tool_choice.${type}.name`);
}

function functionCall(value: unknown): void {
  if (typeof value === 'string') oneOf(value, 'function_call', ['none', 'auto']);
  else if (isObject(value)) string(required(value, 'name', 'function_call'), 'function_call.name');
  else
    reject(
      'function_call',
      `Invalid type for 'function_call': expected one of a string or object, but got ${describe(value)} instead.`,
      'invalid_type',
    );
}

function responseFormat(format: Json): void {
  const type = oneOf(required(format, 'type', 'response_format'), 'response_format.type', ['text', 'json_schema', 'json_object']);
  if (type !== 'json_schema') return;
  const spec = object(required(format, 'json_schema', 'response_format'), 'response_format.json_schema');
  string(required(spec, 'name', 'response_format.json_schema'), 'response_format.json_schema.name');
  if (present(spec['schema'])) object(spec['schema'], 'response_format.json_schema.schema');
  if (present(spec['strict'])) boolean(spec['strict'], 'response_format.json_schema.strict');
}

function streamOptions(options: Json): void {
  if (present(options['include_usage'])) boolean(options['include_usage'], 'stream_options.include_usage');
  if (present(options['include_obfuscation'])) boolean(options['include_obfuscation'], 'stream_options.include_obfuscation');
}

function stop(value: unknown): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value))
    reject(
      'stop',
      `Invalid type for 'stop': expected one of a string or array of strings, but got ${describe(value)} instead.`,
      'invalid_type',
    );
  if (value.length > 4)
    reject(
      'stop',
      `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${value.length} instead.`,
      'array_above_max_length',
    );
  for (const [i, item] of value.entries()) string(item, `stop[${i}]`);
}

function audio(options: Json): void {
  required(options, 'voice', 'audio');
  oneOf(required(options, 'format', 'audio'), 'audio.format', ['wav', 'aac', 'mp3', 'flac', 'opus', 'pcm16']);
}

function prediction(value: Json): void {
  oneOf(required(value, 'type', 'prediction'), 'prediction.type', ['content']);
  const text = required(value, 'content', 'prediction');
  if (typeof text !== 'string' && !Array.isArray(text)) {
    reject(
      'prediction.content',
      `Invalid type for 'prediction.content': expected one of a string or array of objects, but got ${describe(text)} instead.`,
      'invalid_type',
    );
  }
}
