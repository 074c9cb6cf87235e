// Anthropic's Messages request (POST /v1/messages, /v1/messages/count_tokens), checked and turned into the
// pipeline's chat body. One validator for this wire: every field is checked where it is decoded, and a bad
// one is a 400 naming it the way Anthropic does (`messages.0.content.1.type: …`).
import type { ChatBody, JsonObject } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';
import { fail, list, number, object, oneOf, string } from './checks.ts';
import { chatTool, toolChoice } from './tools.ts';
import { chatMessages, systemMessage } from './turns.ts';

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
