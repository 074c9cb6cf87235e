import { describe, expect, it } from 'vitest';
import { call, scenario, sseEvents } from './support/gateway.ts';

// What EventSource sends: GET with `Accept: text/event-stream`, the key in the query string.
const EVENT_SOURCE = { key: null, headers: { accept: 'text/event-stream' } } as const;

describe('errors before a GET /stream starts, for a browser EventSource', () => {
  it('arrive as one error event on a 200 event stream, since EventSource cannot read a non-200 answer', async () => {
    const response = await call('/stream?prompt=x&access_token=wrong-key', EVENT_SOURCE);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-gateway-error-status')).toBe('401');
    expect(response.headers.get('x-request-id')).toMatch(/\S/);
    const events = sseEvents(await response.text());
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toBe('error');
    expect(JSON.parse(events[0]?.data ?? '')).toEqual({
      error: {
        message:
          "Invalid gateway key: this gateway knows no such key. Check the key you send (Authorization: Bearer <key>), or ask the gateway's owner for one.",
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('carry an upstream 429 with a retry: hint taken from Retry-After', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '7' } });
    const response = await call(`/stream?prompt=x&model=${encodeURIComponent(model)}&access_token=gw-test-key-1`, {
      ...EVENT_SOURCE,
      env: { MAX_ATTEMPTS: '1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-error-status')).toBe('429');
    expect(response.headers.get('retry-after')).toBe('7');
    const text = await response.text();
    expect(text.startsWith('retry: 7000\nevent: error\n')).toBe(true);
    expect(JSON.parse(sseEvents(text)[0]?.data ?? '')).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
  });

  it('carry a bad query parameter as an error event naming it', async () => {
    const response = await call('/stream?prompt=x&temperature=warm&access_token=gw-test-key-1', EVENT_SOURCE);
    expect(response.status).toBe(200);
    expect(JSON.parse(sseEvents(await response.text())[0]?.data ?? '')).toMatchObject({
      error: { param: 'temperature', code: 'invalid_value' },
    });
  });

  it('stay plain JSON with their real status for a client that does not ask for an event stream (curl)', async () => {
    const response = await call('/stream?prompt=x&access_token=wrong-key', { key: null, headers: { accept: '*/*' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('stay plain JSON on POST /stream, which fetch reads with its status', async () => {
    const response = await call('/stream', { json: { prompt: 'x', temperature: 'warm' }, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
  });
});
