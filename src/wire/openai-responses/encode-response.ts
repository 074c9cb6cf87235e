// The pipeline's answer (one chat completion) as a Responses API `response` object, and the output items
// the stream encoder shares with it.
import type { ChatCompletion, CompletionUsage } from '../../core/types.ts';
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import type { ResponseEcho } from './decode-request.ts';
import { incompleteReason, responsesUsage } from './usage.ts';

/** What every `response` object of one request carries besides its output. */
export interface ResponseContext {
  /** The request's settings, answered back (from the decoder). */
  readonly echo: ResponseEcho;
  /** Names of the request's freeform `custom` tools. */
  readonly customTools: ReadonlySet<string>;
  /** Unix seconds, for `created_at` when the answer has no time of its own. */
  readonly createdAt: number;
  /** The model to name when the answer has not named one yet. */
  readonly model: string;
  /** The response's id, when the gateway chose it (a stored response needs one of its own); else from the completion's. */
  readonly id?: string;
  /** Whether the response is kept (answered as `store`). */
  readonly store?: boolean;
  readonly previousResponseId?: string | null;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** A Responses id for a completion id (a Responses id passes as it is). */
export const responseId = (id: string): string => (id.startsWith('resp_') ? id : `resp_${id}`);

/** The id of the output item at `index` of a response. */
export const itemId = (prefix: 'msg' | 'fc' | 'ctc' | 'rs', response: string, index: number): string =>
  `${prefix}_${response.replace(/^resp_/, '')}_${index}`;

/** The `response` object around its output: the request's settings, whether it is stored, status, usage. */
export function responseObject(
  context: ResponseContext,
  fields: {
    id: string;
    model: string;
    createdAt: number;
    status: ResponseStatus;
    output: JsonObject[];
    usage: CompletionUsage | undefined;
  },
  extra: { finishReason?: string | null; error?: JsonObject } = {},
): JsonObject {
  const reason = incompleteReason(extra.finishReason);
  const { echo } = context;
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    background: false,
    error: extra.error ?? null,
    incomplete_details: fields.status === 'incomplete' && reason ? { reason } : null,
    instructions: echo['instructions'] ?? null,
    max_output_tokens: echo['max_output_tokens'] ?? null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: echo['parallel_tool_calls'] ?? true,
    previous_response_id: context.previousResponseId ?? null,
    reasoning: echo['reasoning'] ?? { effort: null, summary: null },
    store: context.store ?? false,
    temperature: echo['temperature'] ?? 1,
    text: echo['text'] ?? { format: { type: 'text' } },
    tool_choice: echo['tool_choice'] ?? 'auto',
    tools: echo['tools'] ?? [],
    top_p: echo['top_p'] ?? 1,
    truncation: echo['truncation'] ?? 'disabled',
    usage: fields.status === 'in_progress' ? null : responsesUsage(fields.usage),
    user: echo['user'] ?? null,
    metadata: echo['metadata'] ?? {},
  };
}

/** The status of a finished answer: incomplete when it stopped at the output limit or a filter. */
export const finishedStatus = (finishReason: string | null | undefined): ResponseStatus =>
  incompleteReason(finishReason) ? 'incomplete' : 'completed';

/** A custom tool's freeform input, from the one-string-argument function call it was asked as. */
export function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (isJsonObject(parsed) && typeof parsed['input'] === 'string') return parsed['input'];
  } catch {
    // Not JSON: the model wrote the input bare.
  }
  return args;
}

/** A tool call as its output item: `function_call`, or `custom_tool_call` for a freeform custom tool. */
export function callItem(
  context: ResponseContext,
  id: string,
  call: { id: string; name: string; arguments: string },
  status: 'in_progress' | 'completed',
): JsonObject {
  if (context.customTools.has(call.name))
    return {
      type: 'custom_tool_call',
      id,
      call_id: call.id,
      name: call.name,
      input: status === 'completed' ? customInput(call.arguments) : '',
    };
  return { type: 'function_call', id, call_id: call.id, name: call.name, arguments: call.arguments, status };
}

/** An assistant message item: its text as `output_text`, a refusal as `refusal`. */
export function messageItem(id: string, content: JsonObject[], status: ResponseStatus): JsonObject {
  return { type: 'message', id, status, role: 'assistant', content };
}

/** A reasoning item: another provider's reasoning text (there is no summary, and nothing encrypted to send back). */
export const reasoningItem = (id: string, content: JsonObject[]): JsonObject => ({ type: 'reasoning', id, summary: [], content });

/** The kinds of content part: a message's text or refusal, a reasoning item's text. */
export type PartType = 'output_text' | 'refusal' | 'reasoning_text';

/** A content part as the wire shows it. */
export function wirePart(part: { type: PartType; text: string }): JsonObject {
  if (part.type === 'output_text') return { type: 'output_text', text: part.text, annotations: [] };
  if (part.type === 'refusal') return { type: 'refusal', refusal: part.text };
  return { type: 'reasoning_text', text: part.text };
}

/**
 * A chat completion as a Responses `response`: another provider's reasoning text as a `reasoning` item, its
 * message as a `message` item, each tool call as a
 * `function_call` (or `custom_tool_call`) item, `status` incomplete with `incomplete_details.reason`
 * `max_output_tokens` when it stopped at the limit, and the usage in Responses' names.
 * @example encodeResponse(completion, { echo, customTools: new Set(), createdAt: 0, model: 'openai/gpt-4o-mini' }, usage)
 */
export function encodeResponse(completion: ChatCompletion, context: ResponseContext, usage: CompletionUsage | undefined): JsonObject {
  const id = context.id ?? responseId(completion.id || crypto.randomUUID());
  const choice = completion.choices[0];
  const message = choice?.message as (ChatCompletion.Choice['message'] & { reasoning_content?: unknown }) | undefined;
  const status = finishedStatus(choice?.finish_reason);
  const output: JsonObject[] = [];
  const reasoning = message?.reasoning_content;
  if (typeof reasoning === 'string' && reasoning !== '')
    output.push(reasoningItem(itemId('rs', id, 0), [wirePart({ type: 'reasoning_text', text: reasoning })]));
  const content: JsonObject[] = [];
  if (message?.content) content.push(wirePart({ type: 'output_text', text: message.content }));
  if (message?.refusal) content.push(wirePart({ type: 'refusal', text: message.refusal }));
  if (content.length > 0)
    output.push(messageItem(itemId('msg', id, output.length), content, status === 'incomplete' ? 'incomplete' : 'completed'));
  for (const call of message?.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    const prefix = context.customTools.has(call.function.name) ? 'ctc' : 'fc';
    output.push(callItem(context, itemId(prefix, id, output.length), { id: call.id, ...call.function }, 'completed'));
  }
  return responseObject(
    context,
    {
      id,
      model: completion.model || context.model,
      createdAt: completion.created || context.createdAt,
      status,
      output,
      usage: completion.usage ?? usage,
    },
    { finishReason: choice?.finish_reason ?? null },
  );
}
