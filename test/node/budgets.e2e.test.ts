import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bench/bundle.ts';
import { type GatewayServer, startGateway } from '../../bench/servers.ts';
import { readWranglerFacts } from '../../bench/wrangler-config.ts';
import { mockUrl } from './support/gateway-server.ts';

// Budgets that refuse only what cannot be afforded, over real HTTP against the production bundle in plain workerd,
// with its real local Durable Objects and the mock upstream (which stops at max_tokens, as a model does).
const ADMIN = 'budgets-e2e-admin-token';
type Json = Record<string, unknown>;

describe('budgets over HTTP (production bundle)', () => {
  let dir: string;
  let gateway: GatewayServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-budgets-'));
    const bundle = await buildBundle('wrangler.toml', join(dir, 'dist'));
    const facts = readWranglerFacts('wrangler.toml');
    gateway = await startGateway({
      bundle,
      facts: { ...facts, text: { ...facts.text, ADMIN_TOKEN: ADMIN } },
      mockUrl,
      workDir: join(dir, 'run'),
    });
  }, 180_000);
  afterAll(async () => {
    await gateway?.workerd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const createKey = async (fields: Json): Promise<string> => {
    const response = await fetch(`${gateway.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `e2e-${crypto.randomUUID().slice(0, 8)}`, ...fields }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string }).key;
  };
  const post = (path: string, key: string, body: Json) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const upstream = async (id: string) =>
    (await (await fetch(`${mockUrl}/__mock/calls/${id}`)).json()) as { count: number; requests: { body: Json }[] };
  const usage = async (key: string) =>
    (await (await fetch(`${gateway.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      day: { usd: number };
      pending: { reservations: number };
    };
  /** Settles run after the response (waitUntil): wait until no reservation is pending. */
  const settled = async (key: string) => {
    for (let i = 0; i < 100; i++) {
      const u = await usage(key);
      if (u.pending.reservations === 0) return u;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('reservations never settled');
  };

  it('answers the example key of docs/keys-and-budgets.md: gpt-4o without max_tokens on $0.50 a day', async () => {
    const key = await createKey({ usd_per_day: 0.5, models: ['openai/*'] });
    const response = await post('/chat', key, { prompt: 'Hi', model: 'openai/gpt-4o' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json)['content']).toEqual(expect.any(String));
  });

  it('a $0.05/day key answers six $0.00725 calls in full, a seventh narrowed to what is left, then refuses without a retry hint', async () => {
    const key = await createKey({ usd_per_day: 0.05 });
    // A prompt of exactly 100 gpt-4o tokens, as the gateway counts it: $0.00025, plus 700 output tokens ($0.007).
    let words = 90;
    const messagesOf = (n: number) => [{ role: 'user', content: Array.from({ length: n }, () => 'hi').join(' ') }];
    for (; words < 120; words++) {
      const count = (await (await post('/v1/tokens/count', key, { model: 'openai/gpt-4o', messages: messagesOf(words) })).json()) as Json;
      if (count['tokens'] === 100) break;
    }
    const id = crypto.randomUUID();
    const body = {
      model: 'openai/gpt-4o',
      messages: messagesOf(words),
      mock: { id, usage: { prompt_tokens: 100, completion_tokens: 700 } },
    };
    const answers: { status: number; finish: string | undefined; clamped: string | null; cost: string | null }[] = [];
    let refusal: Response | undefined;
    for (let i = 0; i < 10; i++) {
      const response = await post('/v1/chat/completions', key, body);
      if (response.status !== 200) {
        refusal = response;
        break;
      }
      const completion = (await response.json()) as { choices: { finish_reason: string }[] };
      answers.push({
        status: response.status,
        finish: completion.choices[0]?.finish_reason,
        clamped: response.headers.get('x-gateway-max-tokens-clamped'),
        cost: response.headers.get('x-gateway-cost-usd'),
      });
      await settled(key);
    }
    expect(answers.slice(0, 6).map((a) => [a.finish, a.cost])).toEqual(Array.from({ length: 6 }, () => ['stop', '0.00725']));
    expect(answers[6]).toMatchObject({ finish: 'length', clamped: '4096; to=625; reason=budget', cost: '0.0065' });
    expect(answers).toHaveLength(7);
    // The narrowed call's upstream request carried the narrowed limit; the refused one made no upstream request.
    const calls = await upstream(id);
    expect(calls.count).toBe(7);
    expect(calls.requests.map((r) => r.body['max_tokens'])).toEqual([4096, 4096, 3525, 2800, 2075, 1350, 625]);
    expect(refusal?.status).toBe(429);
    expect(refusal?.headers.get('x-should-retry')).toBe('false');
    expect(refusal?.headers.get('retry-after')).toBeNull();
    if (!refusal) throw new Error('no call was refused');
    const error = ((await refusal.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toMatch(
      /\$0 is left, and the request may use up to \$0\.04.*shorten the prompt, or wait for the limit to reset in \d+ h/,
    );
    expect((await settled(key)).day.usd).toBeCloseTo(0.05, 9);
  });

  it('60 concurrent calls against $0.05: the reservations admit exactly five (one narrowed), the spend never passes the budget', async () => {
    const key = await createKey({ usd_per_day: 0.05 });
    const id = crypto.randomUUID();
    // Each: a 100-token prompt ($0.00025 at the mock) and 1000 output tokens ($0.01), reserved at the gateway's own count.
    const body = {
      model: 'openai/gpt-4o',
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'Count to a thousand.' }],
      mock: { id, usage: { completion_tokens: 1000 } },
    };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post('/v1/chat/completions', key, i % 3 === 0 ? { ...body, stream: true, stream_options: { include_usage: true } } : body).then(
          async (r) => ({ status: r.status, text: await r.text() }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 200).length;
    expect([ok, results.filter((r) => r.status === 429).length]).toEqual([5, 55]);
    const calls = await upstream(id);
    expect(calls.count).toBe(5);
    expect(calls.requests.map((r) => r.body['max_tokens']).sort()).toEqual([1000, 1000, 1000, 1000, expect.any(Number)].sort());
    expect(Math.min(...calls.requests.map((r) => r.body['max_tokens'] as number))).toBeLessThan(1000);
    expect((await settled(key)).day.usd).toBeLessThanOrEqual(0.05);
  });

  it('max_tokens 1e308 is a 400 before any reservation, and the key keeps working', async () => {
    const key = await createKey({ usd_per_day: 1 });
    const id = crypto.randomUUID();
    const huge = await post('/v1/chat/completions', key, {
      model: 'openai/gpt-4o',
      max_tokens: 1e308,
      messages: [{ role: 'user', content: 'hi' }],
      mock: { id },
    });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { param: string } }).error.param).toBe('max_tokens');
    const fine = await post('/v1/chat/completions', key, {
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      mock: { id },
    });
    expect(fine.status).toBe(200);
    expect((await upstream(id)).count).toBe(1);
  });
});
