import { beforeAll, describe, expect, it } from 'vitest';
import { call, mockCalls, scenario } from './support/gateway.ts';
import { burst, warmUpLimits } from './support/limits.ts';

// Keys, limits and budgets through the whole app over its routes, with the real local Durable Objects.
beforeAll(warmUpLimits, 120_000);
const ADMIN_TOKEN = 'adm-http-test-token-0123456789';
const env = { ADMIN_TOKEN };
type Json = Record<string, unknown>;

async function createKey(body: Json): Promise<{ id: string; key: string }> {
  const response = await call('/admin/keys', { key: ADMIN_TOKEN, json: { name: 'http test', ...body }, env });
  expect(response.status).toBe(201);
  return response.json();
}

describe('managed keys over HTTP', () => {
  it('the admin API does not exist without ADMIN_TOKEN, and refuses every path variant without the token', async () => {
    expect((await call('/admin/keys', { key: null })).status).toBe(404);
    expect((await call('/admin/keys', { key: 'gw-test-key-1', env })).status).toBe(401);
    for (const path of ['/admin/keys/', '/Admin/keys', '//admin/keys', '/admin/%6beys', '/admin/keys/x/usage/']) {
      const response = await call(path, { key: null, env });
      expect(response.status, path).toBe(404);
    }
    expect((await call('/admin/keys', { key: ADMIN_TOKEN, env })).status).toBe(200);
  });

  it('a created key works at once, a model outside its patterns is 403 before any upstream call, a revoked key is 401 at once', async () => {
    const { id, key } = await createKey({ models: ['openai/gpt-4o*'] });
    const ok = await call('/chat', { key, json: { prompt: 'hi', model: 'openai/gpt-4o-mini' } });
    expect(ok.status).toBe(200);
    const other = await scenario({});
    const forbidden = await call('/chat', { key, json: { prompt: 'hi', model: other.model } });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json<{ error: { code: string } }>()).error.code).toBe('forbidden_model');
    expect((await mockCalls(other.id)).count).toBe(0);
    expect((await call(`/admin/keys/${id}`, { key: ADMIN_TOKEN, method: 'DELETE', env })).status).toBe(200);
    expect((await call('/chat', { key, json: { prompt: 'hi' } })).status).toBe(401);
  });

  it('a key bound to origins refuses another Origin with 403', async () => {
    const { key } = await createKey({ origins: ['https://app.example.com'] });
    expect((await call('/chat', { key, json: { prompt: 'hi' }, headers: { origin: 'https://app.example.com' } })).status).toBe(200);
    expect((await call('/chat', { key, json: { prompt: 'hi' }, headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('requests per minute hold exactly under 50 concurrent requests: exactly the limit reaches the upstream, the rest get 429 with Retry-After and x-ratelimit headers', async () => {
    const { key } = await createKey({ requests_per_minute: 7 });
    const slow = await scenario({ delay_ms: 200 });
    const result = await burst(50, () => call('/chat', { key, json: { prompt: 'hi', model: slow.model } }));
    expect(result.ok).toBe(7);
    expect(result.limited).toBe(43);
    expect(result.other).toEqual([]);
    expect(result.retryAfter.every((v) => Number(v) > 0)).toBe(true);
    expect((await mockCalls(slow.id)).count).toBe(7);
    const refused = await call('/chat', { key, json: { prompt: 'hi', model: slow.model } });
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('7');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('USD per day holds exactly with streams among the calls, and GET /v1/usage reports the spend', async () => {
    const priced = await scenario({ delay_ms: 200, usage: { prompt_tokens: 10, completion_tokens: 10 } });
    // $1 per token each way: a request with max_tokens 10 reserves at most (prompt + 10) dollars.
    const prices = JSON.stringify({ [priced.model]: { input: 1_000_000, output: 1_000_000 } });
    const { key } = await createKey({ usd_per_day: 150 });
    const result = await burst(60, (i) =>
      call(i % 2 ? '/chat' : '/stream', {
        key,
        json: { prompt: 'hi', model: priced.model, max_tokens: 10 },
        env: { MODEL_PRICES: prices },
      }),
    );
    const admitted = (await mockCalls(priced.id)).count;
    // Each call reserves its worst case: the prompt's tokens plus max_tokens, at $1 a token.
    const counted = await (
      await call('/v1/tokens/count', {
        key,
        json: { model: priced.model, messages: [{ role: 'user', content: 'hi' }] },
        env: { MODEL_PRICES: prices },
      })
    ).json<{ tokens: number }>();
    expect(admitted).toBe(Math.floor(150 / (counted.tokens + 10)));
    expect(result.ok).toBe(admitted);
    expect(result.limited).toBe(60 - admitted);
    const usage = await (await call('/v1/usage', { key })).json<{ day: { requests: number; usd: number } }>();
    // Settled to what the upstream reported: 20 tokens, $20 per admitted call.
    expect(usage.day.requests).toBeGreaterThanOrEqual(admitted);
    expect(usage.day.usd).toBeCloseTo(admitted * 20, 6);
  });
});
