import { describe, expect, it } from 'vitest';
import { call, chatBody, mockCalls, mockUrl, sseEvents } from './support/gateway.ts';

describe('POST /chat', () => {
  it('answers { content, model, finish_reason, usage } from a prompt and a system message', async () => {
    const response = await call('/chat', { json: { prompt: 'What is 2+2?', system: 'Be brief.', temperature: 0, max_tokens: 50 } });
    expect(response.status).toBe(200);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      content: 'Hello from the mock upstream. You said: What is 2+2?',
      model: 'openai/gpt-4o-mini',
      finish_reason: 'stop',
    });
    expect(body['usage']).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(body).not.toHaveProperty('tool_calls');
  });

  it('accepts messages instead of a prompt', async () => {
    const response = await call('/chat', {
      json: {
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'second' },
        ],
      },
    });
    expect((await response.json<{ content: string }>()).content).toContain('You said: second');
  });

  it('refuses unknown fields, both prompt and messages, and neither', async () => {
    const typo = await call('/chat', { json: { prompt: 'hi', max_token: 5 } });
    expect(typo.status).toBe(400);
    expect((await typo.json<{ error: { param: string } }>()).error.param).toBe('max_token');
    expect((await call('/chat', { json: { prompt: 'hi', messages: [] } })).status).toBe(400);
    expect((await call('/chat', { json: {} })).status).toBe(400);
    expect((await call('/chat', { json: { prompt: 'hi', temperature: 'hot' } })).status).toBe(400);
  });
});

describe('POST /stream and GET /stream', () => {
  it('streams delta events, then usage, then done, every data line being JSON', async () => {
    const response = await call('/stream', { json: { prompt: 'stream please' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = sseEvents(await response.text());
    expect(events.every((e) => e.event !== null && JSON.parse(e.data) !== undefined)).toBe(true);
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (JSON.parse(e.data) as { content: string }).content);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('Hello from the mock upstream. You said: stream please');
    expect(events.at(-2)?.event).toBe('usage');
    expect(JSON.parse(events.at(-1)?.data ?? '')).toEqual({ finish_reason: 'stop', model: 'openai/gpt-4o-mini' });
  });

  it('serves GET /stream for EventSource with the prompt in the query', async () => {
    const response = await call('/stream?prompt=from%20a%20browser&model=openai/gpt-4o', {
      key: null,
      headers: { authorization: 'Bearer gw-test-key-2' },
    });
    const events = sseEvents(await response.text());
    expect(
      events
        .filter((e) => e.event === 'delta')
        .map((e) => (JSON.parse(e.data) as { content: string }).content)
        .join(''),
    ).toContain('You said: from a browser');
    expect(response.headers.get('x-gateway-model')).toBe('openai/gpt-4o');
  });

  it('answers a bad GET /stream with a JSON error, not a stream', async () => {
    const response = await call('/stream?temperature=warm&prompt=x');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
  });
});

describe('POST /v1/chat/completions drives /stream events the same way for tool calls', () => {
  it('the mock scenario helper counts upstream calls per id', async () => {
    const { id, body } = chatBody();
    await call('/v1/chat/completions', { json: body });
    await call('/v1/chat/completions', { json: body });
    expect((await mockCalls(id)).count).toBe(2);
    expect(mockUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
