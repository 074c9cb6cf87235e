import { evictDurableObject, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyLimits } from '../../src/limits/key-limits.ts';
import type { ReserveInput } from '../../src/limits/key-limits-rpc.ts';
import { refusal } from '../../src/limits/refusal.ts';
import { callLimitHeaders } from '../../src/limits/limit-headers.ts';
import { type KeyLimitValues, type KeyRecord, staticRecord, UNLIMITED } from '../../src/limits/key-record.ts';
import { warmUpLimits } from './support/limits.ts';

// The per-key Durable Object on its own, through real stubs and local storage, with a fake clock.
beforeAll(warmUpLimits, 120_000);
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0); // noon UTC: 12 h to the next day
const fresh = () => env.LIMITS.get(env.LIMITS.idFromName(crypto.randomUUID()));
const limited = (limits: Partial<KeyLimitValues>) => staticRecord({ ...UNLIMITED, ...limits });
const reserveInput = (fallback: KeyRecord, extra: Partial<ReserveInput> = {}): ReserveInput => ({
  requestId: crypto.randomUUID(),
  tokens: 100,
  usd: 0.001,
  now: T0,
  fallback,
  ...extra,
});

/** Fires N reservations at once through the stub and counts what got through. */
async function burst(stub: DurableObjectStub<KeyLimits>, n: number, input: () => ReserveInput) {
  const results = await Promise.all(Array.from({ length: n }, () => stub.reserve(input())));
  return { ok: results.filter((r) => r.ok).length, refused: results.filter((r) => !r.ok), results };
}

describe('exactness under concurrency (60 reservations at once through one stub)', () => {
  it('admits exactly 17 of 60 against 17 requests per minute', async () => {
    const stub = fresh();
    const record = limited({ requests_per_minute: 17 });
    const { ok, refused } = await burst(stub, 60, () => reserveInput(record));
    expect(ok).toBe(17);
    expect(refused).toHaveLength(43);
    expect(refused.every((r) => !r.ok && r.limit === 'requests_per_minute' && r.retryAfterSeconds === 60)).toBe(true);
  });

  it('admits exactly 23 of 60 against 2300 tokens per day when each may take 100', async () => {
    const stub = fresh();
    const { ok, refused } = await burst(stub, 60, () => reserveInput(limited({ tokens_per_day: 2300 })));
    expect(ok).toBe(23);
    // A budget resets only at midnight UTC: it says when, but sends no Retry-After (waiting is rarely the remedy).
    expect(
      refused.every((r) => !r.ok && r.limit === 'tokens_per_day' && r.resetSeconds === 12 * 3600 && !('retry-after' in refusal(r).headers)),
    ).toBe(true);
  });

  it('admits exactly 50 of 80 against $0.05 per day when each may cost $0.001', async () => {
    const stub = fresh();
    const { ok, refused } = await burst(stub, 80, () => reserveInput(limited({ usd_per_day: 0.05 })));
    expect(ok).toBe(50);
    expect(refused).toHaveLength(30);
    expect(refused.every((r) => !r.ok && r.limit === 'usd_per_day')).toBe(true);
    expect((await stub.usage(T0)).day.usd).toBeCloseTo(0.05, 12);
  });

  it('admits exactly 30 of 60 against $0.03 per month', async () => {
    const stub = fresh();
    const { ok } = await burst(stub, 60, () => reserveInput(limited({ usd_per_month: 0.03 })));
    expect(ok).toBe(30);
  });
});

describe('requests per minute: a sliding window', () => {
  it('admits again as the oldest requests leave the minute, and says when in Retry-After', async () => {
    const stub = fresh();
    const record = limited({ requests_per_minute: 2 });
    expect((await stub.reserve(reserveInput(record, { now: T0 }))).ok).toBe(true);
    expect((await stub.reserve(reserveInput(record, { now: T0 + 20_000 }))).ok).toBe(true);
    const refused = await stub.reserve(reserveInput(record, { now: T0 + 30_000 }));
    expect(refused).toMatchObject({ ok: false, limit: 'requests_per_minute', retryAfterSeconds: 30 });
    expect(!refused.ok && refusal(refused).headers['retry-after']).toBe('30');
    expect((await stub.reserve(reserveInput(record, { now: T0 + 60_001 }))).ok).toBe(true);
    expect((await stub.reserve(reserveInput(record, { now: T0 + 60_002 }))).ok).toBe(false);
    expect((await stub.reserve(reserveInput(record, { now: T0 + 80_001 }))).ok).toBe(true);
  });

  it("sends OpenAI's x-ratelimit headers for requests and tokens", async () => {
    const stub = fresh();
    const record = limited({ requests_per_minute: 10, tokens_per_day: 1000 });
    await stub.reserve(reserveInput(record, { now: T0 }));
    const second = await stub.reserve(reserveInput(record, { now: T0 + 15_000, tokens: 250 }));
    // The object answers numbers; the HTTP layer writes them as headers.
    expect(second).not.toHaveProperty('headers');
    expect(second.limits).toEqual({
      requests: { limit: 10, remaining: 8, resetMs: 45_000 },
      tokens: { limit: 1000, remaining: 650, resetMs: 12 * 3600_000 - 15_000 },
    });
    expect(callLimitHeaders(second.limits)).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '8',
      'x-ratelimit-reset-requests': '45s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '650',
      'x-ratelimit-reset-tokens': '11h59m45s',
    });
  });

  it('sends no limit headers for an unlimited key', async () => {
    const result = await fresh().reserve(reserveInput(limited({})));
    expect(result).toMatchObject({ ok: true, limits: { requests: null, tokens: null } });
    expect(callLimitHeaders(result.limits)).toEqual({});
  });
});

describe('reserve then settle', () => {
  it('replaces the worst case by the real usage, and frees the difference for others', async () => {
    const stub = fresh();
    const record = limited({ tokens_per_day: 1000, usd_per_day: 1 });
    const r = await stub.reserve(reserveInput(record, { tokens: 900, usd: 0.9 }));
    if (!r.ok) throw new Error('expected a reservation');
    expect((await stub.reserve(reserveInput(record, { tokens: 200, usd: 0.01 }))).ok).toBe(false);
    expect(await stub.settle(r.reservationId, { tokens: 120, usd: 0.012 })).toEqual({ status: 'settled' });
    const usage = await stub.usage(T0, record);
    expect(usage.day).toMatchObject({ requests: 2 - 1, tokens: 120, usd: 0.012 });
    expect(usage.pending).toEqual({ reservations: 0, tokens: 0, usd: 0 });
    expect(usage.remaining).toMatchObject({ tokens_per_day: 880, usd_per_day: 0.988 });
    expect((await stub.reserve(reserveInput(record, { tokens: 200, usd: 0.01 }))).ok).toBe(true);
  });

  it('settles a reservation once: a second settle changes nothing', async () => {
    const stub = fresh();
    const r = await stub.reserve(reserveInput(limited({})));
    if (!r.ok) throw new Error('expected a reservation');
    await stub.settle(r.reservationId, { tokens: 40, usd: 0.004 });
    expect(await stub.settle(r.reservationId, { tokens: 40, usd: 0.004 })).toEqual({ status: 'unknown' });
    expect((await stub.usage(T0)).day).toMatchObject({ tokens: 40, usd: 0.004 });
  });

  it('counts days and months in UTC: a new day starts from zero, the month keeps adding', async () => {
    const stub = fresh();
    const record = limited({ tokens_per_day: 150 });
    const today = await stub.reserve(reserveInput(record));
    if (!today.ok) throw new Error('expected a reservation');
    expect((await stub.reserve(reserveInput(record))).ok).toBe(false);
    await stub.settle(today.reservationId, { tokens: 100, usd: 0 });
    const tomorrow = T0 + 12 * 3600_000;
    expect((await stub.reserve(reserveInput(record, { now: tomorrow }))).ok).toBe(true);
    const usage = await stub.usage(tomorrow);
    expect(usage.day).toMatchObject({ period: '2026-01-16', tokens: 100, requests: 1 });
    expect(usage.month).toMatchObject({ period: '2026-01', tokens: 200, requests: 2 });
  });
});

describe('a reservation whose settle never comes', () => {
  it('is released by the alarm, and a late settle still charges the real usage once', async () => {
    const stub = fresh();
    const record = limited({ tokens_per_day: 100 });
    const r = await stub.reserve(reserveInput(record, { ttlMs: 60_000 }));
    if (!r.ok) throw new Error('expected a reservation');
    expect((await stub.reserve(reserveInput(record))).ok).toBe(false);
    // The clock of these tests is in the past, so the reservation has lapsed by the real clock the alarm uses.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const released = await stub.usage(T0);
    expect(released.pending.reservations).toBe(0);
    expect(released.day.tokens).toBe(0);
    expect(await stub.settle(r.reservationId, { tokens: 30, usd: 0 })).toEqual({ status: 'late' });
    expect((await stub.usage(T0)).day.tokens).toBe(30);
    expect(await stub.settle(r.reservationId, { tokens: 30, usd: 0 })).toEqual({ status: 'unknown' });
    expect((await stub.usage(T0)).day.tokens).toBe(30);
  });

  it('is kept by the alarm until its time comes', async () => {
    const stub = fresh();
    const future = Date.now() + 30 * 86_400_000;
    await stub.reserve(reserveInput(limited({}), { now: future, ttlMs: 60_000 }));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.usage(future)).pending.reservations).toBe(1);
    // Lapsed by the caller's clock: released at the next look, alarm or not.
    expect((await stub.usage(future + 60_000)).pending.reservations).toBe(0);
  });
});

describe("the key's record", () => {
  const managed = (over: Partial<KeyRecord> = {}): KeyRecord => ({
    ...limited({ requests_per_minute: 5 }),
    kind: 'managed',
    id: 'key_test',
    name: 'test',
    ...over,
  });

  it('wins over the fallback, and a revocation refuses the very next reservation', async () => {
    const stub = fresh();
    expect(await stub.create(managed())).toBe(true);
    expect(await stub.create(managed())).toBe(false);
    const ok = await stub.reserve(reserveInput(limited({ requests_per_minute: 1 })));
    expect(callLimitHeaders(ok.limits)['x-ratelimit-limit-requests']).toBe('5');
    await stub.revoke();
    expect(await stub.reserve(reserveInput(limited({})))).toMatchObject({ ok: false, limit: 'revoked' });
  });

  it('refuses an expired key, and one that has no record and no fallback', async () => {
    const stub = fresh();
    await stub.create(managed({ expires_at: T0 / 1000 }));
    expect(await stub.reserve({ requestId: 'r', tokens: 1, usd: 0, now: T0 - 1 })).toMatchObject({ ok: true });
    expect(await stub.reserve({ requestId: 'r', tokens: 1, usd: 0, now: T0 })).toMatchObject({ ok: false, limit: 'expired' });
    expect(await fresh().reserve({ requestId: 'r', tokens: 1, usd: 0, now: T0 })).toMatchObject({ ok: false, limit: 'unknown_key' });
  });

  it('survives the object being evicted: record, counters and reservations come back from storage', async () => {
    const name = crypto.randomUUID();
    const first = env.LIMITS.get(env.LIMITS.idFromName(name));
    await first.create(managed({ tokens_per_day: 1000 }));
    await first.reserve({ requestId: 'a', tokens: 400, usd: 0, now: T0 });
    await evictDurableObject(first);
    const second = env.LIMITS.get(env.LIMITS.idFromName(name));
    const usage = await second.usage(T0);
    expect(usage.record?.name).toBe('test');
    expect(usage.day.tokens).toBe(400);
    expect(usage.pending.reservations).toBe(1);
    expect(await second.reserve({ requestId: 'b', tokens: 601, usd: 0, now: T0 })).toMatchObject({ ok: false, limit: 'tokens_per_day' });
    const ids = await listDurableObjectIds(env.LIMITS);
    expect(ids.some((id) => id.equals(env.LIMITS.idFromName(name)))).toBe(true);
  });

  it('keeps its counters in SQLite tables (what survives a restart)', async () => {
    const stub = fresh();
    await stub.reserve(reserveInput(limited({})));
    const tables = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
        .toArray()
        .map((r) => r.name),
    );
    expect(tables.sort()).toEqual(['hits', 'periods', 'record', 'reservations']);
  });
});
