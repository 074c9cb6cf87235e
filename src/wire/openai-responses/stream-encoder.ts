// The pipeline's chunks as the Responses API's event stream, event for event, each with its sequence_number.
import type { NativeEvent } from '../../core/events.ts';
import type { ChatCompletionChunk } from '../../core/types.ts';
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import type { GatewayError } from '../../errors.ts';
import type { SseEncoder } from '../../stream/sse-response.ts';
import {
  callItem,
  finishedStatus,
  itemId,
  messageItem,
  type PartType,
  reasoningItem,
  type ResponseContext,
  type ResponseStatus,
  responseId,
  responseObject,
  wirePart,
} from './encode-response.ts';

/** The events that end a response well, carrying it whole: the one the route settles (stores). */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete']);

/** The message (or reasoning) item being written: its content parts, the last one open. */
interface OpenMessage {
  readonly kind: 'message' | 'reasoning';
  readonly index: number;
  readonly id: string;
  readonly parts: { type: PartType; text: string }[];
}

/** Each part's delta and done events, and the field its done event carries the whole text in. */
const PART_EVENTS: Readonly<Record<PartType, { event: string; field: string }>> = {
  output_text: { event: 'response.output_text', field: 'text' },
  refusal: { event: 'response.refusal', field: 'refusal' },
  reasoning_text: { event: 'response.reasoning_text', field: 'text' },
};
/** Output text events carry (empty) logprobs, as OpenAI's do. */
const logprobs = (type: PartType) => (type === 'output_text' ? { logprobs: [] } : {});

/** The tool call being written. */
interface OpenCall {
  readonly kind: 'call';
  readonly index: number;
  readonly id: string;
  readonly chatIndex: number;
  readonly call: { id: string; name: string; arguments: string };
}

/** OpenAI's `ResponseError.code` for a failure the gateway reports mid-stream. */
const failureCode = (error: GatewayError): string => (error.status === 429 ? 'rate_limit_exceeded' : 'server_error');

/**
 * The Responses event sequence over the pipeline's chunks: `response.created` and `response.in_progress`; then per
 * output item `response.output_item.added`, its content and `response.output_item.done`; then `response.completed`
 * (or `response.incomplete`) with the whole response and its usage. Content is `content_part.added`, the part's
 * deltas and done (`output_text`, `refusal`, or `reasoning_text` in a reasoning item), `content_part.done`; or
 * `function_call_arguments.delta`/`.done`; or `custom_tool_call_input.delta`/`.done`. A failure after the start is
 * an `error` event, then `response.failed`. One encoder per stream. The final response of a stream that ended well
 * passes through `settle` before it is sent (the route stores it there, and answers whether it did). With `native`
 * (a request passed through to OpenAI), OpenAI's own events go out verbatim instead (the final one's response
 * settled, re-serialised only if that changed it), in order, and while they are
 * awaited only SSE comments, so its own `response.created` is the first event; the translation is used otherwise
 * (a fallback to another provider, a cached answer).
 * @example sseBody(events, { encoder: responsesSse(context), … })
 */
export function responsesSse(
  context: ResponseContext,
  settle: (response: JsonObject) => JsonObject = (r) => r,
  native = false,
): SseEncoder {
  let sequence = 0;
  let id = '';
  let model = context.model;
  let createdAt = context.createdAt;
  /** Every output item so far, as it stands (a failed response carries them as they were). */
  const output: JsonObject[] = [];
  let open: OpenMessage | OpenCall | undefined;
  /** Output indexes of tool calls by their chat index. */
  const calls = new Map<number, number>();

  /** Whether OpenAI's own events are being relayed. */
  let relaying = false;

  const event = (type: string, fields: JsonObject): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const snapshot = (status: ResponseStatus, extra: Parameters<typeof responseObject>[2] = {}, usage?: ChatCompletionChunk['usage']) =>
    responseObject(context, { id, model, createdAt, status, output, usage: usage ?? undefined }, extra);

  const start = (chunk?: ChatCompletionChunk): string => {
    if (id !== '') return '';
    id = context.id ?? responseId(chunk?.id || crypto.randomUUID());
    model = chunk?.model || model;
    createdAt = chunk?.created || createdAt;
    return (
      event('response.created', { response: snapshot('in_progress') }) +
      event('response.in_progress', { response: snapshot('in_progress') })
    );
  };

  const closePart = (message: OpenMessage): string => {
    const part = message.parts.at(-1);
    if (!part) return '';
    const at = { item_id: message.id, output_index: message.index, content_index: message.parts.length - 1 };
    const { event: name, field } = PART_EVENTS[part.type];
    return (
      event(`${name}.done`, { ...at, [field]: part.text, ...logprobs(part.type) }) +
      event('response.content_part.done', { ...at, part: wirePart(part) })
    );
  };

  const close = (status: ResponseStatus): string => {
    const item = open;
    if (!item) return '';
    open = undefined;
    if (item.kind !== 'call') {
      const done = contentItem(item, status === 'incomplete' ? 'incomplete' : 'completed');
      output[item.index] = done;
      return closePart(item) + event('response.output_item.done', { output_index: item.index, item: done });
    }
    const done = callItem(context, item.id, item.call, 'completed');
    output[item.index] = done;
    const at = { item_id: item.id, output_index: item.index };
    const args =
      done['type'] === 'custom_tool_call'
        ? (done['input'] === '' ? '' : event('response.custom_tool_call_input.delta', { ...at, delta: done['input'] })) +
          event('response.custom_tool_call_input.done', { ...at, input: done['input'] })
        : event('response.function_call_arguments.done', { ...at, arguments: item.call.arguments });
    return args + event('response.output_item.done', { output_index: item.index, item: done });
  };

  /** An item of content parts as it stands. */
  const contentItem = (item: OpenMessage, status: ResponseStatus): JsonObject =>
    item.kind === 'reasoning' ? reasoningItem(item.id, item.parts.map(wirePart)) : messageItem(item.id, item.parts.map(wirePart), status);

  /** Text, a refusal or reasoning text into the open item of its kind (opening it, or a new part of it, as needed). */
  const write = (type: PartType, delta: string): string => {
    let out = '';
    const kind = type === 'reasoning_text' ? 'reasoning' : 'message';
    if (open?.kind !== kind) {
      out += close('completed');
      const index = output.length;
      const item: OpenMessage = { kind, index, id: itemId(kind === 'reasoning' ? 'rs' : 'msg', id, index), parts: [] };
      output.push(contentItem(item, 'in_progress'));
      open = item;
      out += event('response.output_item.added', { output_index: index, item: contentItem(item, 'in_progress') });
    }
    const item = open as OpenMessage;
    if (item.parts.at(-1)?.type !== type) {
      out += closePart(item);
      item.parts.push({ type, text: '' });
      out += event('response.content_part.added', {
        item_id: item.id,
        output_index: item.index,
        content_index: item.parts.length - 1,
        part: wirePart({ type, text: '' }),
      });
    }
    const part = item.parts.at(-1) as OpenMessage['parts'][number];
    part.text += delta;
    output[item.index] = contentItem(item, 'in_progress');
    const at = { item_id: item.id, output_index: item.index, content_index: item.parts.length - 1 };
    return out + event(`${PART_EVENTS[type].event}.delta`, { ...at, delta, ...logprobs(type) });
  };

  /** A tool call's fragment: the first opens its item, the rest stream its arguments. */
  const toolCall = (call: NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number]): string => {
    let out = '';
    if (!calls.has(call.index)) {
      out += close('completed');
      const index = output.length;
      const name = call.function?.name ?? '';
      const item: OpenCall = {
        kind: 'call',
        index,
        id: itemId(context.customTools.has(name) ? 'ctc' : 'fc', id, index),
        chatIndex: call.index,
        call: { id: call.id ?? `call_${crypto.randomUUID()}`, name, arguments: '' },
      };
      calls.set(call.index, index);
      open = item;
      const added = callItem(context, item.id, item.call, 'in_progress');
      output.push(added);
      out += event('response.output_item.added', { output_index: index, item: added });
    }
    const args = call.function?.arguments;
    // A fragment of a call already closed (providers stream calls one after another) has nowhere to go.
    if (!args || open?.kind !== 'call' || open.chatIndex !== call.index) return out;
    open.call.arguments += args;
    if (context.customTools.has(open.call.name)) return out;
    output[open.index] = callItem(context, open.id, open.call, 'in_progress');
    return out + event('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta: args });
  };

  /** A final event's data with its response settled: as it came unless `settle` changed the response. */
  const settled = (json: JsonObject, response: JsonObject, data: string): string => {
    const answered = settle(response);
    return answered === response ? data : JSON.stringify({ ...json, response: answered });
  };

  /** OpenAI's own events as they came (data byte for byte); later events of the gateway's number on from theirs. */
  const relay = (events: readonly NativeEvent[]): string => {
    let out = '';
    for (const { event: name, data, json } of events) {
      const response = json['response'];
      if (name === 'response.created' && isJsonObject(response)) {
        id = String((response as JsonObject)['id'] ?? id);
        model = String((response as JsonObject)['model'] ?? model);
      }
      if (typeof json['sequence_number'] === 'number') sequence = json['sequence_number'] + 1;
      out += `event: ${name}\ndata: ${FINAL_EVENTS.has(name) && isJsonObject(response) ? settled(json, response, data) : data}\n\n`;
    }
    relaying = true;
    return out;
  };

  return {
    ...(native ? { native: relay } : {}),
    chunk(chunk) {
      let out = start(chunk);
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue;
        const d = choice.delta as typeof choice.delta & { reasoning_content?: unknown };
        // Another provider's reasoning text, as a reasoning item's reasoning_text (OpenAI's own is encrypted, never text).
        if (typeof d.reasoning_content === 'string' && d.reasoning_content !== '') out += write('reasoning_text', d.reasoning_content);
        if (d.content) out += write('output_text', d.content);
        if (d.refusal) out += write('refusal', d.refusal);
        for (const call of d.tool_calls ?? []) out += toolCall(call);
        if (choice.finish_reason) out += close(finishedStatus(choice.finish_reason));
      }
      return out;
    },
    // Server tools are the gateway's business; a Responses client sees the final answer.
    step: () => '',
    // Responses has no ping event: the response is announced, then SSE comments keep the connection open.
    keepAlive: () => (native ? '' : start()) || ': ping\n\n',
    end(end) {
      // OpenAI sent its own final event (a stream without one fails as cut short): nothing is added to what it said.
      if (relaying) return '';
      const status = finishedStatus(end.finishReason);
      const out = start() + close(status);
      return out + event(`response.${status}`, { response: settle(snapshot(status, { finishReason: end.finishReason }, end.usage)) });
    },
    error(error: GatewayError) {
      const out = relaying ? '' : start();
      const code = failureCode(error);
      return (
        out +
        event('error', { code: error.code ?? code, message: error.message, param: error.param ?? null }) +
        event('response.failed', { response: snapshot('failed', { error: { code, message: error.message } }) })
      );
    },
  };
}
