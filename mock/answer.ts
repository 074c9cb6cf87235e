// Decides WHAT the mock answers (text, refusal or tool calls, and usage),
// independent of whether it is sent as JSON or as a stream.
import type { ChatRequest } from './chat-request.ts';
import { exampleFromSchema } from './example-from-schema.ts';
import { getObject, getString, isObject } from './json.ts';
import { splitExact, splitFixed, splitWords } from './split.ts';
import type { Directive, ToolCallDirective } from './types.ts';

export interface ToolCallAnswer {
  id: string;
  name: string;
  arguments: string;
  /** The arguments as streamed: fragments, or one piece when sent whole. */
  fragments: string[];
}

export interface Answer {
  /** Text of `content` (or of `refusal` when `refusal` is true); null with tool calls and no content. */
  text: string | null;
  refusal: boolean;
  pieces: string[];
  toolCalls: ToolCallAnswer[];
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const DEFAULT_FRAGMENT = 5;

export function buildAnswer(request: ChatRequest, directive: Directive, responseNumber: number): Answer {
  const stream = directive.stream ?? {};
  const fragment = stream.fragment ?? directive.fragment ?? DEFAULT_FRAGMENT;
  const toCall = (call: ToolCallDirective, i: number): ToolCallAnswer => {
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    return {
      id: call.id ?? `call_mock_${responseNumber}_${i}`,
      name: call.name,
      arguments: args,
      fragments: stream.tool_calls_whole === true ? [args] : splitFixed(args, fragment),
    };
  };

  let text: string | null;
  let refusal = false;
  let toolCalls: ToolCallAnswer[] = [];
  if (directive.tool_calls !== undefined) {
    text = directive.content ?? null;
    toolCalls = directive.tool_calls.map(toCall);
  } else if (directive.refusal !== undefined) {
    text = directive.refusal;
    refusal = true;
  } else if (directive.content !== undefined) {
    text = directive.content;
  } else {
    const forced = forcedToolCall(request);
    text = forced === undefined ? structuredOrDefaultText(request) : null;
    if (forced !== undefined) toolCalls = [toCall(forced, 0)];
  }

  if (text !== null && stream.repeat !== undefined && stream.repeat > 1) {
    text = Array.from({ length: Math.floor(stream.repeat) }, () => text).join(' ');
  }
  const pieces = text === null ? [] : stream.pieces === undefined ? splitWords(text) : splitExact(text, stream.pieces);
  const prompt = directive.usage?.prompt_tokens ?? Math.ceil(request.promptChars / 4);
  const wanted =
    directive.usage?.completion_tokens ?? pieces.length + toolCalls.reduce((n, call) => n + Math.max(1, call.fragments.length), 0);
  // Like a real model, the answer stops at the request's output limit: usage says so, and finish_reason is "length".
  const limit = outputLimit(request.body);
  const completion = limit === undefined ? wanted : Math.min(wanted, limit);
  return {
    text,
    refusal,
    pieces,
    toolCalls,
    finishReason: directive.finish_reason ?? (completion < wanted ? 'length' : toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** The request's `max_tokens` or `max_completion_tokens`, when it sets one. */
function outputLimit(body: Record<string, unknown>): number | undefined {
  const limits = [body['max_tokens'], body['max_completion_tokens']].filter((v): v is number => typeof v === 'number' && v > 0);
  return limits.length === 0 ? undefined : Math.min(...limits);
}

function structuredOrDefaultText(request: ChatRequest): string {
  const format = getObject(request.body, 'response_format');
  const type = format === undefined ? undefined : getString(format, 'type');
  if (format !== undefined && type === 'json_schema') {
    const schema = getObject(format, 'json_schema')?.['schema'];
    return JSON.stringify(exampleFromSchema(schema ?? {}));
  }
  if (type === 'json_object') return '{"ok":true}';
  return `Hello from the mock upstream. You said: ${request.lastUserText}`;
}

/** A tool call the request forces: a named function, or `required` (first tool). */
function forcedToolCall(request: ChatRequest): ToolCallDirective | undefined {
  const choice = request.body['tool_choice'];
  const tools = Array.isArray(request.body['tools']) ? request.body['tools'] : [];
  let name: string | undefined;
  if (isObject(choice) && choice['type'] === 'function') name = getString(getObject(choice, 'function') ?? {}, 'name');
  else if (choice === 'required') name = toolFunction(tools[0])?.name;
  if (name === undefined) return undefined;
  const tool = tools.map(toolFunction).find((fn) => fn?.name === name);
  return { name, arguments: JSON.stringify(exampleFromSchema(tool?.parameters ?? { type: 'object' })) };
}

function toolFunction(tool: unknown): { name: string; parameters: unknown } | undefined {
  const fn = isObject(tool) ? getObject(tool, 'function') : undefined;
  const name = fn === undefined ? undefined : getString(fn, 'name');
  return fn === undefined || name === undefined ? undefined : { name, parameters: fn['parameters'] };
}
