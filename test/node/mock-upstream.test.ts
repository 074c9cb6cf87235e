// The mock upstream's contract, checked with the official OpenAI SDK as client
// wherever the SDK can express the request.
import { Validator } from '@cfworker/json-schema';
import type { Schema } from '@cfworker/json-schema';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallsReport } from '../../mock/calls.ts';
import type { Directive } from '../../mock/types.ts';
import { startMockUpstream } from '../../mock/upstream.ts';
import type { MockUpstream } from '../../mock/upstream.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixturesDir = join(projectRoot, '..', 'shared', 'openai', 'fixtures');
const haveFixtures = existsSync(fixturesDir);

let mock: MockUpstream;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream(haveFixtures ? { fixturesDir } : {});
  client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0, timeout: 5000 });
});
afterAll(() => mock.close());

const messages = [{ role: 'user' as const, content: 'Hi there' }];

/** Adds the `mock` directive, which the SDK forwards like any unknown body field. */
function withMock<T extends object>(params: T, directive: Directive): T {
  return { ...params, mock: directive };
}

function chat(directive: Directive, extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}) {
  return client.chat.completions.create(withMock({ model: 'mock-model', messages, ...extra }, directive));
}

function streamChat(directive: Directive, extra: Partial<ChatCompletionCreateParamsStreaming> = {}) {
  return client.chat.completions.create(withMock({ model: 'mock-model', messages, stream: true as const, ...extra }, directive));
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const textOf = (chunks: ChatCompletionChunk[]): string => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

async function calls(id: string): Promise<CallsReport> {
  const res = await fetch(`${mock.url}/__mock/calls/${encodeURIComponent(id)}`);
  return (await res.json()) as CallsReport;
}

async function waitFor(check: () => Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function apiError(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected an APIError');
}

const DEFAULT_TEXT = 'Hello from the mock upstream. You said: Hi there';

describe('plain answers', () => {
  it('answers a non-streaming request with the echo text and usage', async () => {
    const completion = await chat({});
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-mock-\d+$/);
    expect(completion.model).toBe('mock-model');
    expect(completion.system_fingerprint).toBe('fp_mock');
    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: DEFAULT_TEXT, refusal: null });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 2, completion_tokens: 9, total_tokens: 11 });
  });

  it('streams word pieces that reassemble into the text', async () => {
    const chunks = await collect(await streamChat({ content: 'One two\nthree ' }));
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1, 4).map((c) => c.choices[0]?.delta.content)).toEqual(['One', ' two', '\nthree ']);
    expect(textOf(chunks)).toBe('One two\nthree ');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('sends a final usage chunk with empty choices when include_usage is set', async () => {
    const chunks = await collect(await streamChat({ usage: { prompt_tokens: 7 } }, { stream_options: { include_usage: true } }));
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 7, completion_tokens: 9, total_tokens: 16 });
  });

  it('streams tool call arguments in fragments that the SDK reassembles', async () => {
    const args = { city: 'Edinburgh', units: 'c' };
    const stream = client.chat.completions.stream(
      withMock({ model: 'mock-model', messages }, { tool_calls: [{ name: 'get_weather', arguments: args }] }),
    );
    const fragments: string[] = [];
    stream.on('chunk', (chunk) => {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.arguments) fragments.push(call.function.arguments);
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const call = message?.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({ name: 'get_weather', arguments: JSON.stringify(args) });
    expect(fragments.length).toBeGreaterThan(1);
    expect(fragments.every((f) => f.length <= 5)).toBe(true);
  });

  it('answers json_schema requests with JSON that validates against the schema', async () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        units: { type: 'string', enum: ['c', 'f'] },
        temperature: { type: 'number', minimum: 10 },
        count: { type: 'integer' },
        note: { type: ['string', 'null'], format: 'date' },
        tags: { type: 'array', items: { type: 'string' } },
        place: { $ref: '#/$defs/Place' },
        either: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
      },
      required: ['city', 'units', 'temperature', 'count', 'note', 'tags', 'place', 'either'],
      additionalProperties: false,
      $defs: { Place: { type: 'object', properties: { lat: { type: 'number' } }, required: ['lat'], additionalProperties: false } },
    };
    const completion = await chat({}, { response_format: { type: 'json_schema', json_schema: { name: 'Weather', strict: true, schema } } });
    const value: unknown = JSON.parse(completion.choices[0]?.message.content ?? '');
    expect(new Validator(schema, '2020-12').validate(value).errors).toEqual([]);
    expect(value).toMatchObject({ units: 'c', temperature: 10, count: 1, note: '2024-01-01', tags: ['example'], place: { lat: 1.5 } });
  });

  it('answers a forced tool_choice with arguments generated from the tool schema', async () => {
    const completion = await chat(
      {},
      {
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
        tool_choice: { type: 'function', function: { name: 'lookup' } },
      },
    );
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({ name: 'lookup', arguments: '{"q":"example"}' });
  });

  it('uses the Azure deployment name as the model when the body has none', async () => {
    const res = await fetch(`${mock.url}/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': 'azure-key', 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ model: 'my-gpt' });
  });

  it('lists mock models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('mock-model');
  });
});

describe('faults and scenarios', () => {
  it('follows steps per id (500, then success) and records every attempt', async () => {
    const id = `steps-${Date.now()}`;
    const directive: Directive = { id, steps: [{ status: 500 }] };
    const error = await apiError(chat(directive));
    expect(error.status).toBe(500);
    expect(error.type).toBe('server_error');
    expect((await chat(directive)).choices[0]?.message.content).toBe(DEFAULT_TEXT);
    const report = await calls(id);
    expect(report.count).toBe(2);
    expect(report.requests[0]?.url).toBe('/v1/chat/completions');
    expect(report.requests[0]?.headers['authorization']).toBe('Bearer test');
    expect(report.requests[1]?.body).toMatchObject({ model: 'mock-model', mock: { id } });
  });

  it('returns a 429 with the retry-after header the directive asks for', async () => {
    const error = await apiError(chat({ status: 429, headers: { 'retry-after': '2' } }));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.type).toBe('requests');
    expect(error.headers?.get('retry-after')).toBe('2');
  });

  it('counts a stalled request the client aborts in closed_by_client', async () => {
    const id = `stall-${Date.now()}`;
    const controller = new AbortController();
    const pending = client.chat.completions.create(withMock({ model: 'mock-model', messages }, { id, stall: true }), {
      signal: controller.signal,
    });
    await waitFor(async () => (await calls(id)).count === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(async () => (await calls(id)).closed_by_client === 1);
  });

  it('makes the SDK stream throw when cut_after kills the connection', async () => {
    const id = `cut-${Date.now()}`;
    const received: ChatCompletionChunk[] = [];
    const run = async () => {
      for await (const chunk of await streamChat({ id, stream: { cut_after: 3 } })) received.push(chunk);
    };
    await expect(run()).rejects.toThrow();
    expect(received.length).toBe(3);
    // The mock cut the connection itself: not a client cancellation.
    expect((await calls(id)).closed_by_client).toBe(0);
  });

  it('makes the SDK stream throw on an in-band error frame', async () => {
    const error = await apiError(collect(await streamChat({ stream: { error_after: 2 } })));
    expect(error.type).toBe('server_error');
  });

  it('counts a stream the client abandons after stall_after in closed_by_client', async () => {
    const id = `stall-after-${Date.now()}`;
    const stream = await streamChat({ id, stream: { stall_after: 2 } });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    // Aborting the SDK's own controller ends the pending read at once (iterator.return() would wait).
    stream.controller.abort();
    await waitFor(async () => (await calls(id)).closed_by_client === 1);
  });

  it('makes the SDK throw a connection error when reset drops the socket', async () => {
    const error = await apiError(chat({ reset: true }));
    expect(error).toBeInstanceOf(APIConnectionError);
  });

  it('streams keep-alive comments and CRLF line endings that the SDK still parses', async () => {
    const chunks = await collect(await streamChat({ content: 'a b', stream: { comments: true, crlf: true, chunk_delay_ms: 1 } }));
    expect(textOf(chunks)).toBe('a b');
  });

  it('streams a refusal starting with content null and refusal ""', async () => {
    const chunks = await collect(await streamChat({ refusal: 'No.' }));
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: null, refusal: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.refusal ?? '').join('')).toBe('No.');
  });

  it('closes promptly while a request is stalled', async () => {
    const other = await startMockUpstream();
    const id = `close-${Date.now()}`;
    const pending = fetch(`${other.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
      body: JSON.stringify({ mock: { id, stall: true } }),
    });
    pending.catch(() => {});
    const count = async () => ((await (await fetch(`${other.url}/__mock/calls/${id}`)).json()) as CallsReport).count;
    await waitFor(async () => (await count()) === 1);
    // The stalled request never ends by itself: close() returns only because it destroys the open socket.
    await other.close();
    await expect(pending).rejects.toThrow();
  });

  it('forgets recorded calls on DELETE /__mock/calls', async () => {
    const id = `clear-${Date.now()}`;
    await chat({ id });
    expect((await calls(id)).count).toBe(1);
    expect((await fetch(`${mock.url}/__mock/calls`, { method: 'DELETE' })).status).toBe(200);
    expect(await calls(id)).toEqual({ count: 0, requests: [], closed_by_client: 0 });
  });

  it('answers 401 invalid_api_key without a key, and masks a rejected key', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ messages }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });

    const badClient = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'bad-key', maxRetries: 0 });
    const error = await apiError(badClient.chat.completions.create({ model: 'mock-model', messages }));
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('bad-key');
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: '{"model":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('rejects a directive with an unknown field instead of ignoring it', async () => {
    const error = await apiError(chat({ stauts: 500 } as Directive));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_mock_directive');
  });
});

describe.skipIf(!haveFixtures)('recorded fixtures', () => {
  it('replays a recorded .sse stream that the SDK parses', async () => {
    const final = await client.chat.completions
      .stream(withMock({ model: 'mock-model', messages }, { fixture: 'openai-stream-parallel-tool-calls.sse' }))
      .finalChatCompletion();
    const names = final.choices[0]?.message.tool_calls?.map((c) => (c.type === 'function' ? c.function.name : ''));
    expect(names).toEqual(['GetWeatherArgs', 'get_stock_price']);
  });

  it('replays a .chunks.jsonl recording followed by [DONE]', async () => {
    const name = 'groq-stream-text-x-groq-usage.chunks.jsonl';
    const lines = readFileSync(join(fixturesDir, name), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const chunks = await collect(await streamChat({ fixture: name }));
    expect(chunks).toHaveLength(lines.length);
    expect(chunks[0]?.model).toBe('llama-3.3-70b-versatile');
  });

  it('replays recorded error bodies with their status', async () => {
    const quota = await apiError(chat({ fixture: 'openai-error-429-insufficient-quota.json', status: 429 }));
    expect([quota.status, quota.code]).toEqual([429, 'insufficient_quota']);
    const missing = await apiError(chat({ fixture: 'openai-error-404-model-not-found.http.json' }));
    expect([missing.status, missing.code]).toEqual([404, 'model_not_found']);
    expect(missing.headers?.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers 404 naming an unknown fixture', async () => {
    const error = await apiError(chat({ fixture: 'nope.sse' }));
    expect(error.status).toBe(404);
    expect(error.message).toContain('nope.sse');
  });

  it('serves fixture bytes and refuses path traversal', async () => {
    const name = 'openai-stream-refusal.sse';
    const res = await fetch(`${mock.url}/__mock/fixtures/${name}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(fixturesDir, name)))).toBe(true);
    expect((await fetch(`${mock.url}/__mock/fixtures/..%2Fopenapi.yaml`)).status).toBe(404);
  });

  it('serves the official OpenAPI spec as JSON', async () => {
    const res = await fetch(`${mock.url}/__mock/openapi.json`);
    expect(res.status).toBe(200);
    const spec = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.paths).toHaveProperty('/chat/completions');
  });
});
