// POST …/responses: OpenAI's Responses API, enough of it for the gateway's native pass-through. The directive's
// faults (`fixture` replays a recorded Responses stream or Response, `status`, `raw`, `delay_ms`, …) act as on the
// chat route; otherwise the answer (`content`, `tool_calls`, `usage`, `finish_reason` "length") is a Response
// object, or its event stream: response.created, response.in_progress, per item output_item.added, its content
// (content_part.added, output_text.delta…, output_text.done, content_part.done) or its function_call_arguments
// deltas and done, output_item.done, then response.completed (or response.incomplete) with usage.
import { type Answer, buildAnswer } from './answer.ts';
import { messageText } from './chat-request.ts';
import type { Exchange } from './exchange.ts';
import { sendJson } from './http.ts';
import { isObject } from './json.ts';
import { readModelRequest } from './model-request.ts';
import { scriptedFault } from './respond.ts';
import { SSE_HEADERS, writeFrames } from './sse-writer.ts';
import type { MockState } from './state.ts';
import type { JsonObject } from './types.ts';

export async function handleResponses(ex: Exchange, state: MockState): Promise<void> {
  const admitted = await readModelRequest(ex, state);
  if (!admitted) return;
  const { body, directive: d } = admitted;
  const model = typeof body['model'] === 'string' ? body['model'] : 'mock-model';
  ex.model = model;
  ex.directive = d;
  const n = state.nextResponseNumber();
  const headers = { 'x-request-id': `req_mock_${n}`, ...d.headers };
  if (await scriptedFault(ex, d, model, headers, state)) return;

  const answer = buildAnswer(chatRequestOf(body, model), d, n);
  const id = `resp_mock_${n}`;
  const created = Math.floor(Date.now() / 1000);
  const events = responseEvents(answer, { id, model, created, request: body });
  const last = events[events.length - 1] as Event;
  if (body['stream'] !== true) return sendJson(ex.res, 200, last[1]['response'], headers);
  ex.res.writeHead(200, { ...SSE_HEADERS, ...headers });
  ex.res.flushHeaders();
  let frames = events.map(([name, data], i) => `event: ${name}\ndata: ${JSON.stringify({ ...data, sequence_number: i })}\n\n`);
  const { event_error_after: after, ...options } = d.stream ?? {};
  if (after !== undefined) {
    const error = { type: 'error', code: 'server_error', message: 'The model failed mid-stream.', param: null, sequence_number: after };
    frames = [...frames.slice(0, after), `event: error\ndata: ${JSON.stringify(error)}\n\n`];
  }
  return writeFrames(ex, { frames, eol: '\n', options });
}

/** The few things the shared answer builder reads, from a Responses request (input text, its output limit). */
function chatRequestOf(body: JsonObject, model: string) {
  const items =
    typeof body['input'] === 'string'
      ? [{ role: 'user', content: body['input'] }]
      : Array.isArray(body['input'])
        ? body['input'].filter(isObject)
        : [];
  const texts = items.map((item) => ({ role: item['role'], text: messageText(item['content']) }));
  const instructions = typeof body['instructions'] === 'string' ? body['instructions'] : '';
  const limit = body['max_output_tokens'];
  return {
    model,
    stream: body['stream'] === true,
    includeUsage: true,
    promptChars: instructions.length + texts.reduce((sum, t) => sum + t.text.length, 0),
    lastUserText: texts.filter((t) => t.role === 'user').at(-1)?.text ?? '',
    body: typeof limit === 'number' ? { max_tokens: limit } : {},
  };
}

type Event = [string, JsonObject];

/** The answer as the Responses API streams it; the last event carries the whole Response. */
function responseEvents(answer: Answer, at: { id: string; model: string; created: number; request: JsonObject }): Event[] {
  const events: Event[] = [];
  const output: JsonObject[] = [];
  const incomplete = answer.finishReason === 'length';
  const response = (status: string, usage: JsonObject | null): JsonObject => ({
    id: at.id,
    object: 'response',
    created_at: at.created,
    status,
    error: null,
    incomplete_details: incomplete && status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: at.request['instructions'] ?? null,
    max_output_tokens: at.request['max_output_tokens'] ?? null,
    model: at.model,
    output: structuredClone(output),
    parallel_tool_calls: true,
    previous_response_id: null,
    store: at.request['store'] ?? true,
    temperature: at.request['temperature'] ?? 1,
    tool_choice: at.request['tool_choice'] ?? 'auto',
    tools: at.request['tools'] ?? [],
    top_p: at.request['top_p'] ?? 1,
    truncation: 'disabled',
    usage,
    metadata: {},
  });
  events.push(['response.created', { type: 'response.created', response: response('in_progress', null) }]);
  events.push(['response.in_progress', { type: 'response.in_progress', response: response('in_progress', null) }]);
  const status = incomplete ? 'incomplete' : 'completed';
  if (answer.text !== null) {
    const index = output.length;
    const itemId = `msg_mock_${at.id}_${index}`;
    const kind = answer.refusal ? 'refusal' : 'output_text';
    const field = answer.refusal ? 'refusal' : 'text';
    const part = (text: string): JsonObject =>
      answer.refusal ? { type: 'refusal', refusal: text } : { type: 'output_text', annotations: [], text };
    const item = (content: JsonObject[], itemStatus: string): JsonObject => ({
      id: itemId,
      type: 'message',
      status: itemStatus,
      role: 'assistant',
      content,
    });
    const where = { item_id: itemId, output_index: index, content_index: 0 };
    events.push(['response.output_item.added', { type: 'response.output_item.added', output_index: index, item: item([], 'in_progress') }]);
    events.push(['response.content_part.added', { type: 'response.content_part.added', ...where, part: part('') }]);
    for (const piece of answer.pieces) events.push([`response.${kind}.delta`, { type: `response.${kind}.delta`, ...where, delta: piece }]);
    events.push([`response.${kind}.done`, { type: `response.${kind}.done`, ...where, [field]: answer.text }]);
    events.push(['response.content_part.done', { type: 'response.content_part.done', ...where, part: part(answer.text) }]);
    const done = item([part(answer.text)], status);
    output.push(done);
    events.push(['response.output_item.done', { type: 'response.output_item.done', output_index: index, item: done }]);
  }
  for (const call of answer.toolCalls) {
    const index = output.length;
    const item = (args: string, itemStatus: string): JsonObject => ({
      id: `fc_mock_${at.id}_${index}`,
      type: 'function_call',
      status: itemStatus,
      arguments: args,
      call_id: call.id,
      name: call.name,
    });
    const where = { item_id: `fc_mock_${at.id}_${index}`, output_index: index };
    events.push(['response.output_item.added', { type: 'response.output_item.added', output_index: index, item: item('', 'in_progress') }]);
    for (const fragment of call.fragments)
      events.push([
        'response.function_call_arguments.delta',
        { type: 'response.function_call_arguments.delta', ...where, delta: fragment },
      ]);
    events.push([
      'response.function_call_arguments.done',
      { type: 'response.function_call_arguments.done', ...where, arguments: call.arguments },
    ]);
    const done = item(call.arguments, 'completed');
    output.push(done);
    events.push(['response.output_item.done', { type: 'response.output_item.done', output_index: index, item: done }]);
  }
  const usage = {
    input_tokens: answer.usage.prompt_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: answer.usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: answer.usage.total_tokens,
  };
  events.push([`response.${status}`, { type: `response.${status}`, response: response(status, usage) }]);
  return events;
}
