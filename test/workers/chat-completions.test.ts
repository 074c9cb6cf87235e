import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/core/types.ts';
import { accumulate } from '../../src/stream/accumulate.ts';
import { call, chatBody, mockCalls, sseEvents } from './support/gateway.ts';

const chunksOf = (text: string) =>
  sseEvents(text)
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as ChatCompletionChunk);

describe('POST /v1/chat/completions', () => {
  it('answers a non-stream request in the OpenAI shape with one upstream call', async () => {
    const { id, body } = chatBody();
    const response = await call('/v1/chat/completions', { json: body });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe('openai/gpt-4o-mini');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const completion = await response.json<ChatCompletion>();
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock upstream. You said: Say hello');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('forwards every request parameter, unknown ones included, and replaces only the model name', async () => {
    const extra = {
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      parallel_tool_calls: false,
      reasoning_effort: 'low',
      service_tier: 'flex',
      user: 'u1',
      metadata: { a: 'b' },
      some_future_param: { x: [1] },
    };
    const { id, body } = chatBody({}, extra);
    await call('/v1/chat/completions', { json: body });
    const sent = (await mockCalls(id)).requests[0]?.body;
    expect(sent).toMatchObject({ ...extra, model: 'gpt-4o-mini' });
    expect(sent).not.toHaveProperty('stream_options');
  });

  it('sends the upstream its own key and never the gateway key', async () => {
    const { id, body } = chatBody();
    await call('/v1/chat/completions', { json: body });
    const headers = (await mockCalls(id)).requests[0]?.headers ?? {};
    expect(headers['authorization']).toBe('Bearer sk-test-upstream-key-0123456789');
    expect(JSON.stringify(headers)).not.toContain('gw-test-key-1');
  });

  it('streams chunk by chunk, asks the upstream for usage, and strips the usage chunk the client did not ask for', async () => {
    const { id, body } = chatBody({}, { stream: true });
    const response = await call('/v1/chat/completions', { json: body });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const chunks = chunksOf(text);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((c) => c.choices.length > 0 && c.usage === undefined)).toBe(true);
    expect(accumulate(chunks).choices[0]?.message.content).toBe('Hello from the mock upstream. You said: Say hello');
    expect((await mockCalls(id)).requests[0]?.body['stream_options']).toEqual({ include_usage: true });
  });

  it('passes the usage chunk through when the client asks for it', async () => {
    const { body } = chatBody({}, { stream: true, stream_options: { include_usage: true } });
    const chunks = chunksOf(await (await call('/v1/chat/completions', { json: body })).text());
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('passes client tools through and streams tool calls whose arguments arrive in fragments', async () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ];
    const toolCalls = [
      { name: 'get_weather', arguments: { city: 'Paris' } },
      { name: 'get_weather', arguments: { city: 'Tokyo' } },
    ];
    const { id, body } = chatBody({ tool_calls: toolCalls, stream: { tool_index_base: 1 } }, { stream: true, tools, tool_choice: 'auto' });
    const chunks = chunksOf(await (await call('/v1/chat/completions', { json: body })).text());
    const message = accumulate(chunks).choices[0]?.message;
    expect(message?.tool_calls?.map((t) => (t.type === 'function' ? [t.function.name, JSON.parse(t.function.arguments)] : null))).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Tokyo' }],
    ]);
    // Indexes started at 1 upstream; clients index arrays with them, so they start at 0 here.
    expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.index)).toContain(0);
    const sent = (await mockCalls(id)).requests[0]?.body;
    expect(sent?.['tools']).toEqual(tools);
    expect(sent?.['tool_choice']).toBe('auto');
  });

  it('returns whole tool calls in a non-stream answer', async () => {
    const { body } = chatBody({ tool_calls: [{ name: 'lookup', arguments: '{"q":"x"}' }] });
    const completion = await (await call('/v1/chat/completions', { json: body })).json<ChatCompletion>();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'lookup', arguments: '{"q":"x"}' },
    });
  });

  it('keeps a newline inside a token inside one JSON data line', async () => {
    const { body } = chatBody({ content: 'line one\nline two\n\nend' }, { stream: true });
    const chunks = chunksOf(await (await call('/v1/chat/completions', { json: body })).text());
    expect(accumulate(chunks).choices[0]?.message.content).toBe('line one\nline two\n\nend');
  });

  it('works with the official openai SDK as the client, streaming and not', async () => {
    const client = new OpenAI({
      apiKey: 'gw-test-key-1',
      baseURL: 'http://gateway.test/v1',
      maxRetries: 0,
      fetch: (input, init) =>
        call(new URL(String(input)).pathname, {
          method: 'POST',
          body: String(init?.body),
          headers: { 'content-type': 'application/json' },
        }),
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toContain('You said: hi');
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the mock upstream. You said: hi');
  });
});

describe('streams that fail after they started', () => {
  const failures: [string, Record<string, unknown>][] = [
    ['the upstream connection is cut', { cut_after: 3 }],
    ['the upstream sends malformed JSON', { malformed_after: 3 }],
    ['the upstream sends an error object inside a data chunk', { error_after: 3 }],
    ['the upstream sends an `event: error` frame', { event_error_after: 3 }],
  ];
  for (const [what, stream] of failures) {
    it(`end with an error event and no [DONE] when ${what}`, async () => {
      const { body } = chatBody({ stream }, { stream: true });
      const response = await call('/v1/chat/completions', { json: body });
      expect(response.status).toBe(200);
      const events = sseEvents(await response.text());
      expect(events.some((e) => e.data === '[DONE]')).toBe(false);
      const last = JSON.parse(events.at(-1)?.data ?? '{}') as { error?: { message: string; type: string; code: string | null } };
      expect(last.error?.message).toBeTruthy();
      expect(last.error?.type).toBeTruthy();
    });
  }

  it('relay comment lines, CRLF frames and a missing [DONE] as a clean stream', async () => {
    const { body } = chatBody({ stream: { comments: true, crlf: true, no_done: true } }, { stream: true });
    const text = await (await call('/v1/chat/completions', { json: body })).text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(accumulate(chunksOf(text)).choices[0]?.message.content).toContain('You said: Say hello');
  });
});

describe('upstream errors', () => {
  it('keep a 429 status, message and Retry-After header', async () => {
    const { body } = chatBody({ status: 429, headers: { 'retry-after': '7' } });
    const response = await call('/v1/chat/completions', { json: body, headers: { 'x-gateway-max-attempts': '1' } });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    const { error } = await response.json<{ error: { message: string; type: string; code: string | null; param: string | null } }>();
    expect(error.message).toBeTruthy();
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  it('turn an upstream 401 into a 502 upstream_auth_error naming the secret, without the key', async () => {
    const { body } = chatBody();
    const response = await call('/v1/chat/completions', { json: body, env: { OPENAI_API_KEY: 'bad-key' } });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text).error).toMatchObject({ code: 'upstream_auth_error', type: 'upstream_error' });
    expect(text).toContain('OPENAI_API_KEY');
    expect(text).not.toContain('bad-key');
  });

  it('turn error bodies of any shape into the standard shape', async () => {
    const shapes = [
      { error: { message: 'numeric code', code: 1234 } },
      { error: 'just a string' },
      { message: 'top-level message only' },
      { detail: 'nothing we know' },
    ];
    for (const shape of shapes) {
      const { body } = chatBody({ status: 400, body: shape });
      const response = await call('/v1/chat/completions', { json: body });
      expect(response.status).toBe(400);
      const { error } = await response.json<{ error: Record<string, unknown> }>();
      expect(typeof error['message']).toBe('string');
      expect(typeof error['type']).toBe('string');
      expect(error['code'] === null || typeof error['code'] === 'string').toBe(true);
      expect('param' in error).toBe(true);
    }
  });

  it('report an unreachable upstream as a 502 with a clear message', async () => {
    const { body } = chatBody();
    const response = await call('/v1/chat/completions', { json: body, env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect(response.status).toBe(502);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe('upstream_connection_error');
  });
});
