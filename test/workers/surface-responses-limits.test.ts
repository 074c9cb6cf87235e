import { beforeAll, describe, expect, it } from 'vitest';
import { call, mockCalls, scenario } from './support/gateway.ts';
import { warmUpLimits } from './support/limits.ts';

// A key's rate limit and budget hold on /v1/responses as on /v1/chat/completions (the pipeline's, unchanged),
// and refuse in the same OpenAI error JSON with the same status, code and headers, before any upstream call.
beforeAll(warmUpLimits, 120_000);
const ADMIN_TOKEN = 'adm-responses-test-token-0123456789';
const env = { ADMIN_TOKEN };
type ErrorJson = { error: { type: string; code: string; message: string } };

async function createKey(body: Record<string, unknown>): Promise<string> {
  const response = await call('/admin/keys', { key: ADMIN_TOKEN, json: { name: 'responses test', ...body }, env });
  expect(response.status).toBe(201);
  return (await response.json<{ key: string }>()).key;
}

/** The same one-turn request on either surface. */
const send = (surface: 'chat' | 'responses', key: string, model: string, extra: Record<string, string> = {}) =>
  surface === 'chat'
    ? call('/v1/chat/completions', {
        key,
        env: { ...env, ...extra },
        json: { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      })
    : call('/v1/responses', { key, env: { ...env, ...extra }, json: { model, max_output_tokens: 10, input: 'hi' } });

describe('limits and budgets on /v1/responses', () => {
  it('a key’s requests per minute refuse the next call with the same 429 on both surfaces', async () => {
    const refusals: { status: number; code: string; type: string; headers: (string | null)[] }[] = [];
    for (const surface of ['chat', 'responses'] as const) {
      const key = await createKey({ requests_per_minute: 1 });
      const { model, id } = await scenario({ content: 'ok' });
      expect((await send(surface, key, model)).status).toBe(200);
      const refused = await send(surface, key, model);
      const { error } = await refused.json<ErrorJson>();
      refusals.push({
        status: refused.status,
        code: error.code,
        type: error.type,
        headers: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests'].map((h) => refused.headers.get(h)),
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await mockCalls(id)).count).toBe(1);
    }
    expect(refusals[0]?.status).toBe(429);
    expect(refusals[1]).toEqual(refusals[0]);
  });

  it('a key’s daily budget refuses a call whose worst case exceeds it with the same error on both surfaces', async () => {
    const refusals: { status: number; code: string; type: string }[] = [];
    for (const surface of ['chat', 'responses'] as const) {
      const { model, id } = await scenario({ content: 'ok', usage: { prompt_tokens: 10, completion_tokens: 10 } });
      // $1 a token: a call allowed 10 output tokens reserves more than the $5 the key may spend in a day.
      const prices = JSON.stringify({ [model]: { input: 1_000_000, output: 1_000_000 } });
      const key = await createKey({ usd_per_day: 5 });
      const refused = await send(surface, key, model, { MODEL_PRICES: prices });
      const { error } = await refused.json<ErrorJson>();
      refusals.push({ status: refused.status, code: error.code, type: error.type });
      expect((await mockCalls(id)).count).toBe(0);
    }
    expect(refusals[0]?.code).toBe('budget_exceeded');
    expect(refusals[1]).toEqual(refusals[0]);
  });
});
