import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/core/types.ts';
import { accumulate } from '../../src/stream/accumulate.ts';
import { call, chatBody, eventually, mockCalls, scriptedApp, settled, sseEvents } from './support/gateway.ts';

const deterministic = (mock: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  chatBody(mock, { temperature: 0, ...extra });
const post = (body: unknown, options: Parameters<typeof call>[1] = {}) => call('/v1/chat/completions', { json: body, ...options });
const chunks = (text: string) =>
  sseEvents(text)
    .filter((e) => e.data !== '[DONE]' && !e.data.startsWith('{"error"'))
    .map((e) => JSON.parse(e.data) as ChatCompletionChunk);
const essence = (c: ChatCompletion) =>
  c.choices.map((ch) => ({ content: ch.message.content, tool_calls: ch.message.tool_calls ?? [], finish_reason: ch.finish_reason }));

async function streamed(body: Record<string, unknown>, options: Parameters<typeof call>[1] = {}) {
  const response = await post({ ...body, stream: true, stream_options: { include_usage: true } }, options);
  const text = await response.text();
  await settled(response);
  return { response, text, completion: accumulate(chunks(text)) };
}

describe('the KV response cache', () => {
  it('answers MISS then HIT with one upstream call, with an age header on the hit', async () => {
    const { id, body } = deterministic();
    const first = await post(body);
    expect(first.headers.get('x-gateway-cache')).toBe('MISS');
    const second = await post(body);
    expect(second.headers.get('x-gateway-cache')).toBe('HIT');
    expect(second.headers.get('age')).toMatch(/^\d+$/);
    expect(second.headers.get('x-gateway-attempts')).toBe('0');
    expect(essence(await second.json())).toEqual(essence(await first.json()));
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('replays a streamed answer as a stream: same content and tool calls, in several chunks, with usage', async () => {
    const toolCalls = [
      { name: 'get_weather', arguments: { city: 'Paris' } },
      { name: 'get_time', arguments: { tz: 'CET' } },
    ];
    for (const mock of [{}, { tool_calls: toolCalls }]) {
      const { id, body } = deterministic(mock);
      const miss = await streamed(body);
      expect(miss.response.headers.get('x-gateway-cache')).toBe('MISS');
      const hit = await streamed(body);
      expect(hit.response.headers.get('x-gateway-cache')).toBe('HIT');
      expect(essence(hit.completion)).toEqual(essence(miss.completion));
      expect(hit.completion.usage).toEqual(miss.completion.usage);
      expect(chunks(hit.text).length).toBeGreaterThan(3);
      expect(hit.text.endsWith('data: [DONE]\n\n')).toBe(true);
      expect((await mockCalls(id)).count).toBe(1);
    }
  });

  it('serves a non-stream entry to a stream request and a streamed entry to a non-stream request', async () => {
    const a = deterministic();
    const json = await (await post(a.body)).json<ChatCompletion>();
    const asStream = await streamed(a.body);
    expect(asStream.response.headers.get('x-gateway-cache')).toBe('HIT');
    expect(essence(asStream.completion)).toEqual(essence(json));

    const b = deterministic();
    const stream = await streamed(b.body);
    const asJson = await post(b.body);
    expect(asJson.headers.get('x-gateway-cache')).toBe('HIT');
    expect(essence(await asJson.json())).toEqual(essence(stream.completion));
    expect((await mockCalls(a.id)).count + (await mockCalls(b.id)).count).toBe(2);
  });

  it('replays a cached answer on /stream as gateway events', async () => {
    const app = scriptedApp().app;
    const first = await call('/stream', { json: { prompt: 'cache me', temperature: 0 }, app });
    await first.text();
    await settled(first);
    const second = await call('/stream', { json: { prompt: 'cache me', temperature: 0 }, app });
    expect(second.headers.get('x-gateway-cache')).toBe('HIT');
    const events = sseEvents(await second.text());
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(3);
    expect(events.map((e) => e.event).slice(-2)).toEqual(['usage', 'done']);
  });

  it("keeps tenants apart: key B never reads key A's entry, unless CACHE_SCOPE is shared", async () => {
    const { id, body } = deterministic();
    await post(body, { key: 'gw-test-key-1' });
    expect((await post(body, { key: 'gw-test-key-2' })).headers.get('x-gateway-cache')).toBe('MISS');
    expect((await mockCalls(id)).count).toBe(2);

    const shared = deterministic();
    await post(shared.body, { key: 'gw-test-key-1', env: { CACHE_SCOPE: 'shared' } });
    expect((await post(shared.body, { key: 'gw-test-key-2', env: { CACHE_SCOPE: 'shared' } })).headers.get('x-gateway-cache')).toBe('HIT');
    expect((await mockCalls(shared.id)).count).toBe(1);
  });

  it('skips the read on Cache-Control: no-cache, and the write on no-store', async () => {
    const a = deterministic();
    await post(a.body);
    const fresh = await post(a.body, { headers: { 'cache-control': 'no-cache' } });
    expect(fresh.headers.get('x-gateway-cache')).toBe('MISS');
    expect((await mockCalls(a.id)).count).toBe(2);

    const b = deterministic();
    await post(b.body, { headers: { 'cache-control': 'no-store' } });
    expect((await post(b.body)).headers.get('x-gateway-cache')).toBe('MISS');
    expect((await mockCalls(b.id)).count).toBe(2);
  });

  it('stores with the TTL from max-age or x-gateway-cache-ttl up to CACHE_MAX_TTL, never under KV’s 60 s', async () => {
    const ttls: [Record<string, string>, number, Record<string, string>][] = [
      [{ 'cache-control': 'max-age=600' }, 600, {}],
      [{ 'x-gateway-cache-ttl': '7200' }, 7200, { CACHE_MAX_TTL: '86400' }],
      // A caller may not lengthen the deployer's TTL: CACHE_MAX_TTL defaults to CACHE_TTL.
      [{ 'x-gateway-cache-ttl': '7200' }, 3600, {}],
      [{ 'cache-control': 'max-age=99999' }, 3600, {}],
      // With a shared cache, no request lengthens a TTL, whatever CACHE_MAX_TTL says.
      [{ 'cache-control': 'max-age=7200' }, 3600, { CACHE_MAX_TTL: '86400', CACHE_SCOPE: 'shared' }],
      [{ 'cache-control': 'max-age=5' }, 60, {}],
      [{}, 3600, {}],
    ];
    for (const [headers, ttl, vars] of ttls) {
      const before = (await env.CACHE.list()).keys.map((k) => k.name);
      const sentAt = Date.now() / 1000;
      await post(deterministic().body, { headers, env: vars });
      const added = (await env.CACHE.list()).keys.filter((k) => !before.includes(k.name));
      const listedAt = Date.now() / 1000;
      expect(added).toHaveLength(1);
      // Stored between the request and the listing, however long those took (KV counts whole seconds).
      expect(added[0]?.expiration).toBeGreaterThanOrEqual(Math.floor(sentAt) + ttl - 1);
      expect(added[0]?.expiration).toBeLessThanOrEqual(Math.ceil(listedAt) + ttl + 1);
      expect(added[0]?.name.length).toBeLessThan(512);
    }
  });

  it('bypasses temperature 0.7 in deterministic mode and caches it in all mode', async () => {
    const { id, body } = chatBody({}, { temperature: 0.7 });
    expect((await post(body)).headers.get('x-gateway-cache')).toBe('BYPASS');
    await post(body);
    expect((await mockCalls(id)).count).toBe(2);
    await post(body, { env: { CACHE_MODE: 'all' } });
    expect((await post(body, { env: { CACHE_MODE: 'all' } })).headers.get('x-gateway-cache')).toBe('HIT');
    expect((await post(body, { env: { CACHE_MODE: 'off' }, headers: {} })).headers.get('x-gateway-cache')).toBe('BYPASS');
  });

  it('caches a request with a seed, and every /extract', async () => {
    const seeded = chatBody({}, { seed: 42, temperature: 1 });
    await post(seeded.body);
    expect((await post(seeded.body)).headers.get('x-gateway-cache')).toBe('HIT');
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
    await call('/extract', { json: { schema, text: 'Ada' } });
    expect((await call('/extract', { json: { schema, text: 'Ada' } })).headers.get('x-gateway-cache')).toBe('HIT');
  });

  it('never stores errors, cut streams, aborted streams, or answers cut at max_tokens (unless allowed)', async () => {
    const failing = deterministic({ steps: [{ status: 500 }] });
    expect((await post(failing.body, { headers: { 'x-gateway-max-attempts': '1' } })).status).toBe(500);
    expect((await post(failing.body)).headers.get('x-gateway-cache')).toBe('MISS');

    const cut = deterministic({ steps: [{ stream: { cut_after: 3 } }] });
    await streamed(cut.body);
    expect((await streamed(cut.body)).response.headers.get('x-gateway-cache')).toBe('MISS');

    const aborted = deterministic({ steps: [{ stream: { chunk_delay_ms: 100, pieces: 30 } }] });
    const response = await post({ ...aborted.body, stream: true });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await settled(response);
    expect((await post(aborted.body)).headers.get('x-gateway-cache')).toBe('MISS');

    const truncated = deterministic({ finish_reason: 'length' });
    await post(truncated.body);
    expect((await post(truncated.body)).headers.get('x-gateway-cache')).toBe('MISS');
    await post(truncated.body, { headers: { 'x-gateway-cache-truncated': 'allow' } });
    expect((await post(truncated.body)).headers.get('x-gateway-cache')).toBe('HIT');

    const filtered = deterministic({ finish_reason: 'content_filter' });
    await post(filtered.body);
    expect((await post(filtered.body)).headers.get('x-gateway-cache')).toBe('MISS');
  });

  it('makes one upstream call for identical misses that arrive together (single flight)', async () => {
    const { app } = scriptedApp();
    const { id, body } = deterministic({ delay_ms: 200 });
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(body, { app })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.map((r) => r.headers.get('x-gateway-cache')).sort()).toEqual(['HIT', 'HIT', 'HIT', 'HIT', 'MISS']);
    const contents = await Promise.all(responses.map(async (r) => (await r.json<ChatCompletion>()).choices[0]?.message.content));
    expect(new Set(contents).size).toBe(1);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('keeps answering the others when the first of identical concurrent callers hangs up', async () => {
    const { app } = scriptedApp();
    const { id, body } = deterministic({ delay_ms: 400 });
    const first = new AbortController();
    const leader = post(body, { app, signal: first.signal });
    // Once the leader's call has reached the upstream, its flight is in the table for the followers to join.
    expect(await eventually(async () => (await mockCalls(id)).count === 1)).toBe(true);
    const followers = Array.from({ length: 3 }, () => post(body, { app }));
    first.abort();
    await leader;
    const answers = await Promise.all(followers);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('uses one key whatever the order of properties in the request', async () => {
    const { id, body } = deterministic(
      {},
      { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } } }] },
    );
    await post(body);
    const reorder = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reorder)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reorder(v)]),
            )
          : value;
    const reordered = reorder(body) as Record<string, unknown>;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(body));
    expect((await post(reordered)).headers.get('x-gateway-cache')).toBe('HIT');
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('logs a hit as cached, with no tokens spent', async () => {
    const { body } = deterministic();
    await post(body);
    const log = vi.spyOn(console, 'log');
    await post(body);
    const line = log.mock.calls.map((c) => String(c[0])).find((l) => l.includes('"request_id"'));
    log.mockRestore();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ cache: 'HIT', prompt_tokens: 0, completion_tokens: 0 });
  });
});
