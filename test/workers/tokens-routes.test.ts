import { describe, expect, it, vi } from 'vitest';
import { call, chatBody, mockCalls, scenario, scriptedApp, sseEvents, settled } from './support/gateway.ts';
import { FakeClock } from './support/fake-clock.ts';

type Json = Record<string, unknown>;

describe('tokens, limits and cost on the routes', () => {
  it('POST /v1/tokens/count is rate-limited like a model call: a key over its requests per minute gets 429 before any counting', async () => {
    const env = { KEY_REQUESTS_PER_MINUTE: '2', GATEWAY_API_KEYS: `gw-count-${crypto.randomUUID()}` };
    const key = env.GATEWAY_API_KEYS;
    const json = { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hello' }] };
    const statuses: number[] = [];
    // The key's minute window runs on the app's clock: frozen here, so the third request is told exactly 60 s.
    const { app } = scriptedApp({ clock: new FakeClock(Date.now()) });
    for (let i = 0; i < 3; i++) {
      const response = await call('/v1/tokens/count', { json, key, env, app });
      statuses.push(response.status);
      if (i === 0) expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
      if (i === 2) expect(response.headers.get('retry-after')).toBe('60');
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('POST /v1/tokens/count counts a chat without calling a model, with the model’s window', async () => {
    const response = await call('/v1/tokens/count', {
      json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'Hello there' }] },
    });
    expect(response.status).toBe(200);
    const body = await response.json<Json>();
    expect(body).toMatchObject({ model: 'openai/gpt-4o', estimated: false, context_window: 128000 });
    expect(body['tokens']).toBeGreaterThan(3);
  });

  it('POST /v1/tokens/count counts for a provider without a key (counting needs none), and a call to it says how to set the key, locally and deployed', async () => {
    const count = await call('/v1/tokens/count', {
      json: { model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(count.status).toBe(200);
    expect(await count.json<Json>()).toMatchObject({ model: 'groq/llama-3.3-70b-versatile', estimated: true });
    const chat = await call('/v1/chat/completions', {
      json: { model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(chat.status).toBe(500);
    const { message } = (await chat.json<{ error: { message: string } }>()).error;
    expect(message).toContain('GROQ_API_KEY=… in .dev.vars');
    expect(message).toContain('npx wrangler secret put GROQ_API_KEY --env production');
  });

  it('GET /v1/models lists prices and limits as extension fields, and GET /v1/models/{id} answers for one', async () => {
    const list = await (await call('/v1/models')).json<{ data: Json[] }>();
    expect(list.data[0]).toMatchObject({ id: 'openai/gpt-4o-mini', context_window: 128000, pricing: { input: 0.15, output: 0.6 } });
    // The configured providers' current chat models, from the price data: OpenAI's here (its key is set), no Groq (no key), no embeddings.
    const ids = list.data.map((m) => m['id'] as string);
    expect(ids).toContain('openai/gpt-4o');
    expect(ids.some((id) => id.startsWith('groq/'))).toBe(false);
    expect(ids.some((id) => id.includes('embedding'))).toBe(false);
    // Nothing no chat call can use: fine-tune templates, pricing variants, speech, image, realtime, legacy completions.
    for (const unusable of [
      'openai/ft:gpt-3.5-turbo-',
      'openai/gpt-4o-mini-2024-07-18.ft-',
      'openai/gpt-4o:extended',
      'openai/gpt-4o-mini-tts',
      'openai/gpt-image-1',
      'openai/text-davinci-003',
      'openai/gpt-4o-realtime-preview',
    ])
      expect(ids).not.toContain(unusable);
    expect(ids).toEqual(expect.arrayContaining(['openai/gpt-4o', 'openai/gpt-4.1-mini', 'openai/o4-mini', 'openai/gpt-5']));
    expect(new Set(ids).size).toBe(ids.length);
    const one = await call('/v1/models/openai/gpt-4o');
    expect(one.status).toBe(200);
    expect(await one.json<Json>()).toMatchObject({ id: 'openai/gpt-4o', pricing: { input: 2.5, output: 10 } });
    const missing = await call('/v1/models/nope/x');
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: Json }>()).error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('reports usage and cost in headers on non-stream answers, and 0 for a cache hit', async () => {
    const { body } = chatBody({ usage: { prompt_tokens: 1000, completion_tokens: 500 } }, { temperature: 0 });
    const first = await call('/v1/chat/completions', { json: body });
    expect(first.headers.get('x-gateway-prompt-tokens')).toBe('1000');
    expect(first.headers.get('x-gateway-completion-tokens')).toBe('500');
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    expect(Number(first.headers.get('x-gateway-cost-usd'))).toBeCloseTo(0.00045, 8);
    const hit = await call('/v1/chat/completions', { json: body });
    expect(hit.headers.get('x-gateway-cache')).toBe('HIT');
    expect(hit.headers.get('x-gateway-cost-usd')).toBe('0');
  });

  it('prints costs as decimals without float noise, the same in the stream event, the header and the log line', async () => {
    // gpt-4o-mini: 10 × $0.15 + 6 × $0.60 per million = $0.0000051, which a float sum prints as 0.0000050999999999999995.
    const { model } = await scenario({ usage: { prompt_tokens: 10, completion_tokens: 6 } });
    const env = { MODEL_PRICES: JSON.stringify({ [model]: { input: 0.15, output: 0.6 } }) };
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      const text = await (await call('/stream', { json: { prompt: 'hi', model }, env })).text();
      const usage = sseEvents(text).find((e) => e.event === 'usage')?.data ?? '';
      expect(usage).toContain('"cost_usd":0.0000051');
      expect(usage).not.toContain('99999');
      const plain = await call('/v1/chat/completions', { json: { model, messages: [{ role: 'user', content: 'hi' }] }, env });
      expect(plain.headers.get('x-gateway-cost-usd')).toBe('0.0000051');
      await settled(plain);
    } finally {
      spy.mockRestore();
    }
    expect(lines.filter((l) => l.includes('cost_usd')).every((l) => l.includes('"cost_usd":0.0000051'))).toBe(true);
  });

  it('puts cost in /stream’s usage event, and logs an estimate for a stream that failed mid-way', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 10, completion_tokens: 20 } });
    const env = { MODEL_PRICES: JSON.stringify({ [model]: { input: 1, output: 2 } }) };
    const events = sseEvents(await (await call('/stream', { json: { prompt: 'hi', model }, env })).text());
    const usage = JSON.parse(events.find((e) => e.event === 'usage')?.data ?? '{}');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 20 });
    expect(usage.cost_usd).toBeCloseTo((10 * 1 + 20 * 2) / 1e6, 12);

    const cut = await scenario({ content: 'one two three four five six', stream: { error_after: 3 } });
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      const response = await call('/stream', {
        json: { prompt: 'count to six', model: cut.model },
        env: { MODEL_PRICES: JSON.stringify({ [cut.model]: { input: 1, output: 2 } }) },
      });
      expect(sseEvents(await response.text()).at(-1)?.event).toBe('error');
      await settled(response);
    } finally {
      spy.mockRestore();
    }
    const log = lines.map((l) => JSON.parse(l) as Json).find((l) => l['route'] === '/stream');
    expect(log).toMatchObject({ cost_estimated: true, error_type: expect.any(String) });
    expect(log?.['prompt_tokens']).toBeGreaterThan(0);
    expect(log?.['completion_tokens']).toBeGreaterThan(0);
    expect(log?.['cost_usd']).toBeGreaterThan(0);
  });

  it('clamps max_tokens to MAX_TOKENS_CEILING and says so', async () => {
    const { id, body } = chatBody({}, { max_tokens: 50000 });
    const response = await call('/v1/chat/completions', { json: body, env: { MAX_TOKENS_CEILING: '1000' } });
    expect(response.headers.get('x-gateway-max-tokens-clamped')).toBe('50000; to=1000; reason=ceiling');
    expect((await mockCalls(id)).requests[0]?.body['max_tokens']).toBe(1000);
  });

  it('trims the oldest turns on /chat when they do not fit, and refuses with 400 context_length_exceeded when nothing fits', async () => {
    const prices = JSON.stringify({ 'openai/tiny': { input: 1, output: 1, context_window: 300, max_output_tokens: 50 } });
    const long = 'word '.repeat(200);
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: long },
      { role: 'assistant', content: long },
      { role: 'user', content: 'and now?' },
    ];
    const trimmed = await call('/chat', { json: { messages, model: 'openai/tiny' }, env: { MODEL_PRICES: prices } });
    expect(trimmed.status).toBe(200);
    expect(trimmed.headers.get('x-gateway-trimmed-messages')).toBe('2');
    const tooLong = await call('/chat', {
      json: { messages: [{ role: 'user', content: long.repeat(5) }], model: 'openai/tiny' },
      env: { MODEL_PRICES: prices },
    });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json<{ error: { code: string } }>()).error.code).toBe('context_length_exceeded');
    await settled(tooLong);
  });
});

describe('a stream the client abandons', () => {
  it('is still counted: the log line carries an estimate of what was sent and received, marked estimated', async () => {
    const slow = await scenario({ content: 'one two three four five six seven eight nine ten', stream: { chunk_delay_ms: 5, pieces: 10 } });
    const env = { MODEL_PRICES: JSON.stringify({ [slow.model]: { input: 1, output: 2 } }) };
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      const response = await call('/stream', { json: { prompt: 'count to ten', model: slow.model }, env });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain('event: delta');
      await reader.cancel();
      await settled(response);
    } finally {
      spy.mockRestore();
    }
    const log = lines.map((l) => JSON.parse(l) as Json).find((l) => l['route'] === '/stream');
    expect(log).toMatchObject({ error_code: 'client_closed_request', cost_estimated: true });
    expect(log?.['prompt_tokens']).toBeGreaterThan(0);
    expect(log?.['completion_tokens']).toBeGreaterThan(0);
    expect(log?.['cost_usd']).toBeGreaterThan(0);
  });
});
