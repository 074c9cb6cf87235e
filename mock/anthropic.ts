// POST …/messages: Anthropic's Messages API, enough of it for the gateway's native adapter. It replays the
// recordings in ../shared/providers/anthropic-* (status and headers from their .meta.json) and answers
// simple requests, as JSON or as the event stream, with Anthropic's error shapes.
import type { IncomingMessage } from 'node:http';
import { findKey } from './auth.ts';
import { messageText } from './chat-request.ts';
import { directiveForAttempt, parseDirective } from './directive.ts';
import { exampleFromSchema } from './example-from-schema.ts';
import type { Exchange } from './exchange.ts';
import { readFixtureBytes } from './fixtures.ts';
import { flatHeaders, readBody, send, sendJson } from './http.ts';
import { getObject, isObject } from './json.ts';
import { splitFixed, splitWords } from './split.ts';
import { SSE_HEADERS, writeFrames } from './sse-writer.ts';
import type { MockState } from './state.ts';
import type { Directive, JsonObject } from './types.ts';

const FRAMING = new Set(['content-length', 'content-encoding', 'transfer-encoding']);

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** Whether a request is for the Messages API (any prefix, like the chat route). */
export function isAnthropicMessages(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return req.method === 'POST' && path.endsWith('/messages');
}

const errorBody = (status: number, message: string) => ({
  type: 'error',
  error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message },
  request_id: 'req_mock',
});

export async function handleAnthropic(ex: Exchange, state: MockState): Promise<void> {
  const { req, res } = ex;
  const text = await readBody(req);
  let body: JsonObject | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    body = isObject(parsed) ? parsed : undefined;
  } catch {
    body = undefined;
  }
  const model = typeof body?.['model'] === 'string' ? body['model'] : 'claude-mock';
  const raw = state.scenarios.get(model);
  const parsed = raw === undefined ? { directive: {} as Directive } : parseDirective(raw);
  if ('errors' in parsed) return sendJson(res, 400, errorBody(400, `Invalid mock directive: ${parsed.errors.join('; ')}`));
  let attempt = 0;
  const id = parsed.directive.id;
  if (id !== undefined) attempt = state.calls.record(id, { url: req.url ?? '', headers: flatHeaders(req), body: body ?? text });
  // Anthropic's own header, or a bearer token (what the official SDK sends from 1.x on).
  const header = req.headers['x-api-key'];
  const key = typeof header === 'string' && header !== '' ? header : findKey(req.headers);
  if (key === undefined || key === 'bad-key') return sendJson(res, 401, errorBody(401, 'invalid x-api-key'));
  if (body === undefined) return sendJson(res, 400, errorBody(400, 'The request body is not valid JSON.'));
  const d = directiveForAttempt(parsed.directive, attempt);
  ex.model = model;
  ex.directive = d;
  const headers = { 'request-id': `req_mock_${state.nextResponseNumber()}`, ...d.headers };
  if (d.fixture !== undefined) return replay(ex, d, d.fixture, headers, state);
  if (d.status !== undefined && d.status >= 400)
    return sendJson(res, d.status, errorBody(d.status, d.status === 529 ? 'Overloaded' : `Mock error ${d.status}.`), headers);
  const message = answer(body, d, model);
  if (body['stream'] !== true) return sendJson(res, 200, message, headers);
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  res.flushHeaders();
  const frames = events(message, d).map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  // Anthropic's mid-stream error is its own shape, not the OpenAI-shaped one writeFrames injects.
  const { event_error_after: after, ...options } = d.stream ?? {};
  if (after !== undefined) frames.splice(after, frames.length, `event: error\ndata: ${JSON.stringify(errorBody(529, 'Overloaded'))}\n\n`);
  return writeFrames(ex, { frames, eol: '\n', options });
}

/** A recording, with the status and allow-listed headers its .meta.json kept. */
async function replay(ex: Exchange, d: Directive, name: string, headers: Record<string, string>, state: MockState): Promise<void> {
  const bytes = await readFixtureBytes(state.fixtures.dir, name);
  if (bytes === undefined) return sendJson(ex.res, 404, errorBody(404, `Unknown fixture: ${name}`));
  const metaBytes = await readFixtureBytes(state.fixtures.dir, `${name}.meta.json`);
  const meta: unknown = metaBytes === undefined ? {} : JSON.parse(metaBytes.toString('utf8'));
  const response = isObject(meta) ? getObject(meta, 'response') : undefined;
  const recorded: Record<string, string> = {};
  // The body is stored decompressed and whole: the recorded framing headers no longer apply.
  for (const [k, v] of Object.entries(getObject(response ?? {}, 'headers') ?? {}))
    if (typeof v === 'string' && !FRAMING.has(k.toLowerCase())) recorded[k.toLowerCase()] = v;
  const status = d.status ?? (typeof response?.['status'] === 'number' ? response['status'] : 200);
  if (!name.endsWith('.sse')) return send(ex.res, status, bytes, { 'content-type': 'application/json', ...recorded, ...headers });
  ex.res.writeHead(status, { ...SSE_HEADERS, ...recorded, ...headers });
  ex.res.flushHeaders();
  return writeFrames(ex, { frames: bytes.toString('utf8').split(/(?<=\r?\n\r?\n)/), eol: '\n', options: d.stream ?? {} });
}

/** The answer as a Messages API message: directive text or tool calls, a forced tool, a schema example, or an echo. */
function answer(body: JsonObject, d: Directive, model: string): JsonObject {
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObject) : [];
  const lastUser = messages.filter((m) => m['role'] === 'user').at(-1);
  const promptChars = messages.reduce((n, m) => n + messageText(m['content']).length, 0);
  const content: JsonObject[] = [];
  const choice = getObject(body, 'tool_choice');
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isObject) : [];
  const forced =
    choice?.['type'] === 'tool' ? tools.find((t) => t['name'] === choice['name']) : choice?.['type'] === 'any' ? tools[0] : undefined;
  const format = getObject(getObject(body, 'output_config') ?? {}, 'format');
  if (d.content !== undefined || (d.tool_calls === undefined && forced === undefined)) {
    const text =
      d.content ??
      (format
        ? JSON.stringify(exampleFromSchema(format['schema'] ?? {}))
        : `Hello from the mock upstream. You said: ${lastUser ? messageText(lastUser['content']) : ''}`);
    content.push({ type: 'text', text });
  }
  for (const [i, call] of (d.tool_calls ?? []).entries()) {
    content.push({
      type: 'tool_use',
      id: call.id ?? `toolu_mock_${i}`,
      name: call.name,
      input: typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments,
    });
  }
  if (d.tool_calls === undefined && forced !== undefined)
    content.push({
      type: 'tool_use',
      id: 'toolu_mock_0',
      name: forced['name'],
      input: exampleFromSchema(forced['input_schema'] ?? { type: 'object' }),
    });
  const uses = content.some((b) => b['type'] === 'tool_use');
  const output = content.reduce((n, b) => n + (b['type'] === 'text' ? splitWords(String(b['text'])).length : 1), 0);
  return {
    id: `msg_mock_${Date.now()}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: d.finish_reason ?? (uses ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: d.usage?.prompt_tokens ?? Math.ceil(promptChars / 4),
      output_tokens: d.usage?.completion_tokens ?? output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

/** The stream of events that adds up to a message. */
function events(message: JsonObject, d: Directive): Array<[string, JsonObject]> {
  const usage = getObject(message, 'usage') ?? {};
  const out: Array<[string, JsonObject]> = [
    [
      'message_start',
      { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } },
    ],
  ];
  const blocks = Array.isArray(message['content']) ? message['content'].filter(isObject) : [];
  for (const [index, block] of blocks.entries()) {
    if (block['type'] === 'text') {
      out.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      for (const text of splitWords(String(block['text'])))
        out.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }]);
    } else {
      out.push(['content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } }]);
      for (const partial_json of ['', ...splitFixed(JSON.stringify(block['input']), d.stream?.fragment ?? d.fragment ?? 5)]) {
        out.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }]);
      }
    }
    out.push(['content_block_stop', { type: 'content_block_stop', index }]);
  }
  out.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: message['stop_reason'], stop_sequence: null },
      usage: { output_tokens: usage['output_tokens'] },
    },
  ]);
  out.push(['message_stop', { type: 'message_stop' }]);
  return out;
}
