import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import type { Answer, Call, Caller, CallModel, CallRequest, Outcome } from '../../src/gateway/types.ts';
import { type BudgetDeps, budgetStage, settlement, type Spend } from '../../src/limits/budget-stage.ts';
import { callLimitHeaders } from '../../src/limits/limit-headers.ts';
import { type KeyLimitValues, UNLIMITED } from '../../src/limits/key-record.ts';
import { usageResponse } from '../../src/limits/usage-response.ts';
import { unreachableNamespace, warmUpLimits } from './support/limits.ts';

// The budget stage around a scripted inner pipeline, against the real local Durable Objects, with a fake clock.
beforeAll(warmUpLimits, 120_000);
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const WORST: Spend = { tokens: 1000, usd: 0.01 };

const deps = (staticLimits: Partial<KeyLimitValues> = {}, over: Partial<BudgetDeps> = {}): BudgetDeps => ({
  keys: env.LIMITS,
  settings: {
    staticLimits: { ...UNLIMITED, ...staticLimits },
    failOpen: false,
    reservationTtlMs: 60_000,
    minOutputTokens: 256,
    adminToken: undefined,
  },
  now: () => T0,
  estimate: () => WORST,
  ...over,
});

const target = { provider: {}, model: 'gpt-4o-mini', id: 'openai/gpt-4o-mini' } as unknown as CallRequest['targets'][0];
const newCaller = (): Caller => ({ keyHash: crypto.randomUUID().replaceAll('-', ''), name: 'test' });
// Settlements handed to waitUntil, awaited before usage is read (as the runtime waits for them after a response).
const pending: Promise<unknown>[] = [];
const drained = async () => {
  while (pending.length > 0) await Promise.all(pending.splice(0));
};

const request = (caller: Caller, stream = false): CallRequest => ({
  body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream },
  targets: [target],
  stream,
  signal: new AbortController().signal,
  policy: {} as CallRequest['policy'],
  caller,
  requestId: crypto.randomUUID(),
  waitUntil: (work) => pending.push(work),
  cache: undefined,
});

const outcome = (over: Partial<Outcome>): Outcome => ({
  status: 'ok',
  target,
  attempts: [],
  completion: undefined,
  usage: undefined,
  cost: undefined,
  cache: 'MISS',
  error: undefined,
  ...over,
});
const usage = (total: number) => ({ prompt_tokens: total - 10, completion_tokens: 10, total_tokens: total });

/** An inner pipeline that answers at once and ends with the given outcome; counts its calls. */
function scripted(end: Outcome) {
  const seen = { calls: 0 };
  const next: CallModel = (): Call => {
    seen.calls++;
    const answer: Answer = { target, attempts: [], cache: end.cache, events: (async function* () {})() };
    return { answer: Promise.resolve(answer), outcome: Promise.resolve(end) };
  };
  return { next, seen };
}

async function usageOf(caller: Caller, d = deps()) {
  await drained();
  return (await usageResponse(caller, d)).json<{
    day: { requests: number; tokens: number; usd: number };
    pending: { reservations: number };
    minute: { requests: number };
  }>();
}

async function run(end: Outcome, caller = newCaller(), d = deps()) {
  const { next, seen } = scripted(end);
  const call = budgetStage(d)(next)(request(caller));
  let answered: Answer | undefined;
  const refused = await call.answer.then(
    (answer) => {
      answered = answer;
      return null;
    },
    (error: unknown) => error as GatewayError,
  );
  return { refused, answer: answered, outcome: await call.outcome, seen, caller, usage: await usageOf(caller, d) };
}

describe('settling to what the call spent', () => {
  it('charges the usage and cost of an answer, not the worst case', async () => {
    const { usage: u, outcome: o } = await run(outcome({ usage: usage(150), cost: { usd: 0.0015, estimated: false } }));
    expect(o.status).toBe('ok');
    expect(u.day).toMatchObject({ requests: 1, tokens: 150, usd: 0.0015 });
    expect(u.pending.reservations).toBe(0);
  });

  it('charges a stream the same way, from its outcome', async () => {
    const caller = newCaller();
    const { next } = scripted(outcome({ usage: usage(42), cost: { usd: 0.00042, estimated: true } }));
    const call = budgetStage(deps())(next)(request(caller, true));
    await call.answer;
    await call.outcome;
    expect((await usageOf(caller)).day).toMatchObject({ tokens: 42, usd: 0.00042 });
  });

  it('charges nothing for a call that failed before any answer, but counts the request', async () => {
    const { usage: u } = await run(outcome({ status: 'error', error: new GatewayError(502, 'upstream down') }));
    expect(u.day).toMatchObject({ requests: 1, tokens: 0, usd: 0 });
    expect(u.pending.reservations).toBe(0);
  });

  it('charges an aborted stream what it used so far', async () => {
    const { usage: u } = await run(
      outcome({ status: 'aborted', usage: { ...usage(70), estimated: true }, cost: { usd: 0.0007, estimated: true } }),
    );
    expect(u.day).toMatchObject({ tokens: 70, usd: 0.0007 });
  });

  it('charges the worst case when something was answered but its usage is unknown', async () => {
    const { usage: u } = await run(outcome({ status: 'aborted' }));
    expect(u.day).toMatchObject({ tokens: 1000, usd: 0.01 });
  });

  it('charges nothing for a cache hit', async () => {
    const { usage: u } = await run(outcome({ cache: 'HIT', usage: usage(500), cost: { usd: 0.5, estimated: false } }));
    expect(u.day).toMatchObject({ requests: 1, tokens: 0, usd: 0 });
  });

  it('settlement: the rules as a table', () => {
    const worst = { tokens: 9, usd: 0.9 };
    expect(settlement(outcome({ usage: usage(20), cost: { usd: 0.2, estimated: false } }), worst)).toEqual({ tokens: 20, usd: 0.2 });
    expect(settlement(outcome({ usage: usage(20) }), worst)).toEqual({ tokens: 20, usd: 0.9 });
    expect(settlement(outcome({ status: 'error' }), worst)).toEqual({ tokens: 0, usd: 0 });
    expect(settlement(outcome({ status: 'error', usage: usage(30) }), worst)).toEqual({ tokens: 30, usd: 0.9 });
    expect(settlement(outcome({ cache: 'HIT', usage: usage(20) }), worst)).toEqual({ tokens: 0, usd: 0 });
  });

  it('releases the reservation when the inner pipeline throws instead of answering', async () => {
    const caller = newCaller();
    const call = budgetStage(deps())(() => {
      throw new Error('boom');
    })(request(caller));
    await expect(call.answer).rejects.toThrow('boom');
    expect((await call.outcome).status).toBe('error');
    expect((await usageOf(caller)).day).toMatchObject({ tokens: 0, usd: 0 });
    expect((await usageOf(caller)).pending.reservations).toBe(0);
  });
});

describe('refusing before the call', () => {
  it('answers 429 with Retry-After and the limit headers, and never calls the model', async () => {
    const caller = newCaller();
    const d = deps({ requests_per_minute: 1, tokens_per_day: 5000 });
    const first = await run(outcome({ usage: usage(100) }), caller, d);
    expect(first.refused).toBeNull();
    expect(callLimitHeaders(first.answer?.limits)).toMatchObject({
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-limit-tokens': '5000',
      'x-ratelimit-remaining-tokens': '4000',
    });
    const second = await run(outcome({}), caller, d);
    expect(second.seen.calls).toBe(0);
    expect([second.refused?.status, second.refused?.code, second.refused?.type]).toEqual([429, 'limit_exceeded', 'rate_limit_error']);
    expect(second.refused?.headers).toMatchObject({
      'retry-after': '60',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m0s',
    });
    expect(second.outcome).toMatchObject({ status: 'error', cache: 'BYPASS', error: second.refused });
  });

  it('names a spending limit with budget_exceeded', async () => {
    const { refused } = await run(outcome({}), newCaller(), deps({ usd_per_month: 0.005 }));
    expect([refused?.status, refused?.code]).toEqual([429, 'budget_exceeded']);
  });

  it('gives static keys the limits from vars, through their own object', async () => {
    const caller = newCaller();
    const d = deps({ requests_per_minute: 2 });
    expect((await run(outcome({}), caller, d)).refused).toBeNull();
    expect((await run(outcome({}), caller, d)).refused).toBeNull();
    expect((await run(outcome({}), caller, d)).refused?.status).toBe(429);
    expect((await run(outcome({}), newCaller(), d)).refused).toBeNull();
  });

  it('lets anonymous calls through untouched', async () => {
    const { next, seen } = scripted(outcome({}));
    const call = budgetStage(deps({ requests_per_minute: 1 }, { keys: unreachableNamespace() }))(next)(
      request({ keyHash: null, name: null }),
    );
    await call.answer;
    expect(seen.calls).toBe(1);
  });

  it('fails closed with 503 when the object cannot be reached, and open with LIMITS_FAIL_OPEN', async () => {
    const closed = await run(outcome({}), newCaller(), deps({}, { keys: unreachableNamespace() })).catch((error: unknown) => error);
    // usageResponse also fails closed, so `run` itself rejects with the 503 from reading usage; the refusal came first.
    expect(closed).toMatchObject({ status: 503, code: 'limit_unavailable' });
    const { next, seen } = scripted(outcome({ usage: usage(10) }));
    const open = budgetStage(deps({}, { keys: unreachableNamespace(), settings: { ...deps().settings, failOpen: true } }))(next)(
      request(newCaller()),
    );
    await open.answer;
    expect((await open.outcome).status).toBe('ok');
    expect(seen.calls).toBe(1);
  });

  it('refuses at once a managed key revoked after it was looked up', async () => {
    const caller = newCaller();
    const stub = env.LIMITS.get(env.LIMITS.idFromName(caller.keyHash ?? ''));
    await stub.create({
      object: 'gateway.key',
      id: 'key_x',
      name: 'x',
      kind: 'managed',
      models: null,
      origins: null,
      expires_at: null,
      revoked: false,
      created_at: 0,
      ...UNLIMITED,
    });
    expect((await run(outcome({}), caller)).refused).toBeNull();
    await stub.revoke();
    const after = await run(outcome({}), caller);
    expect([after.refused?.status, after.refused?.code, after.seen.calls]).toEqual([401, 'invalid_api_key', 0]);
  });
});

describe('exactness through the stage (60 calls at once, streams among them)', () => {
  const burst = async (limits: Partial<KeyLimitValues>, worst: Spend) => {
    const caller = newCaller();
    const { next, seen } = scripted(outcome({}));
    const stage = budgetStage(deps(limits, { estimate: () => worst }))(next);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        stage(request(caller, i % 3 === 0)).answer.then(
          () => 'ok',
          (error: GatewayError) => error.status,
        ),
      ),
    );
    return { ok: results.filter((r) => r === 'ok').length, refused: results.filter((r) => r === 429).length, calls: seen.calls };
  };

  it('requests per minute: exactly 25 of 60 reach the model', async () => {
    expect(await burst({ requests_per_minute: 25 }, WORST)).toEqual({ ok: 25, refused: 35, calls: 25 });
  });

  it('tokens per day: exactly 12 of 60 at 1000 tokens each against 12 000', async () => {
    expect(await burst({ tokens_per_day: 12_000 }, WORST)).toEqual({ ok: 12, refused: 48, calls: 12 });
  });

  it('USD per day: exactly 40 of 60 at $0.0025 each against $0.10', async () => {
    expect(await burst({ usd_per_day: 0.1 }, { tokens: 10, usd: 0.0025 })).toEqual({ ok: 40, refused: 20, calls: 40 });
  });
});

describe('GET /v1/usage', () => {
  it("reports the calling key's requests, tokens and cost, limits and what remains", async () => {
    const caller = newCaller();
    const d = deps({ tokens_per_day: 10_000, usd_per_month: 5 });
    await run(outcome({ usage: usage(300), cost: { usd: 0.03, estimated: false } }), caller, d);
    const response = await usageResponse(caller, d);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({
      object: 'gateway.key.usage',
      key: { kind: 'static', id: null, name: null },
      day: { period: '2026-01-15', requests: 1, tokens: 300, usd: 0.03 },
      month: { period: '2026-01', requests: 1, tokens: 300, usd: 0.03 },
      limits: { requests_per_minute: null, tokens_per_day: 10_000, usd_per_day: null, usd_per_month: 5 },
      remaining: { tokens_per_day: 9_700, usd_per_month: 4.97 },
    });
  });

  it('asks for a key when there is none', async () => {
    await expect(usageResponse({ keyHash: null, name: null }, deps())).rejects.toMatchObject({ status: 401, code: 'missing_api_key' });
  });
});

describe('checks before the work', () => {
  it('refuses a long prompt of a key over its requests per minute before counting it (the estimate never runs)', async () => {
    const caller = newCaller();
    let estimates = 0;
    const d = deps(
      { requests_per_minute: 1 },
      {
        estimate: () => {
          estimates++;
          return WORST;
        },
      },
    );
    expect((await run(outcome({}), caller, d)).refused).toBeNull();
    expect(estimates).toBe(1);
    const { next, seen } = scripted(outcome({}));
    const long = { ...request(caller), body: { messages: [{ role: 'user', content: 'a'.repeat(200_000) }] } };
    const refused = await budgetStage(d)(next)(long).answer.then(
      () => null,
      (error: GatewayError) => error,
    );
    expect([refused?.status, refused?.code, seen.calls, estimates]).toEqual([429, 'limit_exceeded', 0, 1]);
  });
});

describe('a stream whose key is revoked while it runs', () => {
  it('ends with a 401 error at the next chunk after the periodic check hears of it', async () => {
    const caller = newCaller();
    const stub = env.LIMITS.get(env.LIMITS.idFromName(caller.keyHash ?? ''));
    const record = {
      object: 'gateway.key',
      id: 'key_r',
      name: 'r',
      kind: 'managed',
      models: null,
      origins: null,
      expires_at: null,
      revoked: false,
      created_at: 0,
      ...UNLIMITED,
    } as const;
    await stub.create(record);
    let clock = T0;
    const chunk = { type: 'chunks', chunks: [] } as const;
    let sent = 0;
    const next: CallModel = (): Call => {
      const events = (async function* () {
        for (let i = 0; i < 50; i++) {
          sent++;
          yield chunk;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      })();
      return { answer: Promise.resolve({ target, attempts: [], cache: 'MISS', events } as Answer), outcome: Promise.resolve(outcome({})) };
    };
    const stage = budgetStage(deps({}, { now: () => clock, revocationCheckMs: 1000 }))(next);
    const answer = await stage({ ...request({ ...caller, record } as Caller, true) }).answer;
    const iterator = answer.events[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    await stub.revoke();
    clock += 1000; // the next read asks the object; a read after its answer is refused
    let error: unknown;
    let reads = 2;
    try {
      for (; reads < 50; reads++) if ((await iterator.next()).done) break;
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(reads).toBeLessThan(10);
    expect(sent).toBeLessThan(10);
  });
});
