import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { chat, extract, GatewayClientError, listModels, type StreamEvent, streamChat } from '../../src/client/index.ts';
import { eventually, KEY, mockCalls, scenario } from './support/gateway.ts';

/** The client talks to the gateway app itself, in workerd, as a browser would over the network. */
const gatewayFetch: typeof fetch = (input, init) => createApp().fetch(new Request(input, init), env, createExecutionContext());
const client = { baseUrl: 'http://gateway.test', key: KEY, fetch: gatewayFetch, headers: { 'x-gateway-max-attempts': '1' } };

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('the browser client against the gateway', () => {
  it('streams typed delta, usage and done events, and reports the answer headers before the first event', async () => {
    let info: unknown;
    const events = await collect(streamChat({ ...client, prompt: 'Hello client', onOpen: (i) => (info = i) }));
    expect(
      events
        .filter((e) => e.type === 'delta')
        .map((e) => e.content)
        .join(''),
    ).toBe('Hello from the mock upstream. You said: Hello client');
    expect(events.at(-2)).toMatchObject({ type: 'usage', total_tokens: expect.any(Number) });
    expect(events.at(-1)).toEqual({ type: 'done', finish_reason: 'stop', model: 'openai/gpt-4o-mini' });
    expect(info).toMatchObject({ model: 'openai/gpt-4o-mini', attempts: 1, requestId: expect.any(String) });
  });

  it('yields a failure after the stream started as an error event and ends there', async () => {
    const { model } = await scenario({ stream: { error_after: 2 } });
    const events = await collect(streamChat({ ...client, model, prompt: 'x' }));
    expect(events.some((e) => e.type === 'delta')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/\S/), type: expect.any(String) } });
    expect(events.some((e) => e.type === 'done')).toBe(false);
  });

  it('throws a typed error with status, code and retry-after when the call cannot start', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '30' } });
    const limited = await collect(streamChat({ ...client, model, prompt: 'x' })).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(GatewayClientError);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfterSeconds: 30 });
    const badKey = await chat({ ...client, key: 'not-the-key', prompt: 'x' }).catch((e: unknown) => e);
    expect(badKey).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      message:
        "Invalid gateway key: this gateway knows no such key. Check the key you send (Authorization: Bearer <key>), or ask the gateway's owner for one.",
    });
  });

  it('aborts the stream and the upstream request when the signal fires', async () => {
    const { model, id } = await scenario({ stream: { chunk_delay_ms: 200, pieces: 100 } });
    const controller = new AbortController();
    const seen: StreamEvent[] = [];
    const failure = await (async () => {
      for await (const event of streamChat({ ...client, model, prompt: 'x', signal: controller.signal })) {
        seen.push(event);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(failure).toMatchObject({ name: 'AbortError' });
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });

  it('says the gateway is unreachable when no answer comes', async () => {
    const failure = await chat({ ...client, fetch: () => Promise.reject(new TypeError('Failed to fetch')), prompt: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ status: 0, code: 'gateway_unreachable' });
    expect((failure as Error).message).toContain('POST http://gateway.test/chat');
  });

  it('calls /chat, /extract and /v1/models', async () => {
    const answer = await chat({ ...client, prompt: 'Hi' });
    expect(answer).toMatchObject({
      content: 'Hello from the mock upstream. You said: Hi',
      model: 'openai/gpt-4o-mini',
      info: { attempts: 1 },
    });
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
    const extracted = await extract<{ name: string }>({ ...client, schema, text: 'My name is Ada' });
    expect(typeof extracted.data.name).toBe('string');
    expect(extracted.attempts).toBe(1);
    expect((await listModels(client)).map((m) => m.id)).toContain('openai/gpt-4o-mini');
  });

  it('sends every /chat field, fallback models and max_iterations included', async () => {
    const sent: unknown[] = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(JSON.parse(String(init?.body)));
      return gatewayFetch(input, init);
    };
    const answer = await chat({ ...client, fetch: recording, prompt: 'Hi', models: ['openai/gpt-4.1-nano'], max_iterations: 2 });
    expect(answer.content).toContain('You said: Hi');
    expect(sent).toEqual([{ prompt: 'Hi', models: ['openai/gpt-4.1-nano'], max_iterations: 2 }]);
  });
});
