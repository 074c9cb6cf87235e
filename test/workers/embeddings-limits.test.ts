// Keys, limits and budgets on POST /v1/embeddings, with the real local Durable Objects: the input is reserved at
// the model's input rate before the call and settled to the upstream's usage after it.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, mockCalls, scenario } from './support/gateway.ts';
import { warmUpLimits } from './support/limits.ts';

beforeAll(warmUpLimits, 120_000);
const ADMIN_TOKEN = 'adm-embeddings-test-token-0123456789';
type Json = Record<string, unknown>;
type ErrorJson = { error: { message: string; code: string | null; param: string | null } };
type Usage = { day: { tokens: number; usd: number; requests: number }; pending: { reservations: number } };

async function createKey(body: Json): Promise<string> {
  const response = await call('/admin/keys', { key: ADMIN_TOKEN, json: { name: 'embeddings test', ...body }, env: { ADMIN_TOKEN } });
  expect(response.status).toBe(201);
  return (await response.json<{ key: string }>()).key;
}

/** A scenario model priced at $1 per input token, so budgets in dollars are budgets in tokens. */
async function priced(directive: Json = {}) {
  const { model, id } = await scenario(directive);
  return { model, id, env: { MODEL_PRICES: JSON.stringify({ [model]: { input: 1_000_000, output: 0 } }) } };
}

describe('limits on /v1/embeddings', () => {
  it('refuses with 429 and no upstream call a key whose usd_per_day cannot pay for the input', async () => {
    const { model, id, env } = await priced();
    const key = await createKey({ usd_per_day: 5 });
    // About 25 tokens of input at $1 a token: more than the $5 left.
    const response = await call('/v1/embeddings', { key, env, json: { model, input: 'word '.repeat(25) } });
    expect(response.status).toBe(429);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const { error } = await response.json<ErrorJson>();
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('$5.00 is left, and the request may use up to $26.00');
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('settles the spend to the upstream’s usage, which GET /v1/usage shows, and a cache hit spends nothing', async () => {
    const { model, id, env } = await priced({ usage: { prompt_tokens: 7 } });
    const key = await createKey({ usd_per_day: 1000 });
    const body = { model, input: ['a text to embed', 'another one'] };
    const first = await call('/v1/embeddings', { key, env, json: body });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-gateway-cost-usd')).toBe('7');
    const hit = await call('/v1/embeddings', { key, env, json: body });
    expect(hit.headers.get('x-gateway-cache')).toBe('HIT');
    expect((await mockCalls(id)).count).toBe(1);
    const usage = await (await call('/v1/usage', { key })).json<Usage>();
    expect(usage.day).toMatchObject({ tokens: 7, usd: 7, requests: 2 });
    expect(usage.pending.reservations).toBe(0);
  });

  it('refuses with 403 an embedding model outside a managed key’s models, before any upstream call', async () => {
    const { model, id } = await scenario({});
    const key = await createKey({ models: ['openai/gpt-4o-mini'] });
    for (const name of [model, 'openai/text-embedding-3-small']) {
      const response = await call('/v1/embeddings', { key, json: { model: name, input: 'x' } });
      expect(response.status, name).toBe(403);
      expect((await response.json<ErrorJson>()).error).toMatchObject({ code: 'forbidden_model', param: 'model' });
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('counts against a static key’s KEY_* limits too, and not at all for keys without limits', async () => {
    const { model, id, env } = await priced();
    const input = 'word '.repeat(25);
    const limited = await call('/v1/embeddings', { env: { ...env, KEY_USD_PER_DAY: '5' }, json: { model, input } });
    expect(limited.status).toBe(429);
    const free = await call('/v1/embeddings', { env, json: { model, input } });
    expect(free.status).toBe(200);
    expect((await mockCalls(id)).count).toBe(1);
  });
});
