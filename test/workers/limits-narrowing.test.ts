import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../../src/limits/refusal.ts';
import type { CallBound, ReserveInput, ReserveResult } from '../../src/limits/key-limits-rpc.ts';
import { type KeyLimitValues, staticRecord, UNLIMITED } from '../../src/limits/key-record.ts';
import { warmUpLimits } from './support/limits.ts';
import { seeded } from '../support/prng.ts';

// A budget refuses only what it cannot pay for: the key's object narrows a call's output to what is left, and
// refuses only when the prompt plus the shortest answer worth sending cannot be paid. Real local Durable Objects.
beforeAll(warmUpLimits, 120_000);
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const fresh = () => env.LIMITS.get(env.LIMITS.idFromName(crypto.randomUUID()));
const limited = (limits: Partial<KeyLimitValues>) => staticRecord({ ...UNLIMITED, ...limits });
// gpt-4o's rates: $2.50 per million input tokens, $10 per million output tokens.
const gpt4o = (promptTokens: number, maxTokens: number, extra: Partial<CallBound['output']> = {}): CallBound => ({
  tokens: promptTokens,
  usd: promptTokens * 2.5e-6,
  output: { tokens: maxTokens, min: Math.min(256, maxTokens), choices: 1, usdPerToken: 1e-5, ...extra },
});
const input = (bound: CallBound, limits: Partial<KeyLimitValues>, now = T0): ReserveInput => ({
  requestId: crypto.randomUUID(),
  now,
  fallback: limited(limits),
  ...bound,
});
type Admitted = Extract<ReserveResult, { reservationId: string }>;

describe('narrowing instead of refusing', () => {
  it('admits a call without max_tokens on a $0.50 key: 4096 output tokens are reserved, not the context window', async () => {
    const result = await fresh().reserve(input(gpt4o(8, 4096), { usd_per_day: 0.5 }));
    expect(result).toMatchObject({ ok: true, outputTokens: 4096, reserved: { tokens: 4104, usd: 0.04098 } });
  });

  it('a $0.05/day key admits six $0.00725 calls in full, narrows the seventh to what is left, and refuses the eighth', async () => {
    const stub = fresh();
    const granted: (number | null)[] = [];
    let refused: ReserveResult | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const result = await stub.reserve(input(gpt4o(100, 4096), { usd_per_day: 0.05 }));
      if (!result.ok) {
        refused = result;
        break;
      }
      granted.push(result.outputTokens);
      // The model answers 700 tokens, or stops at the narrowed limit: $0.00025 + $0.00001 per output token.
      const output = Math.min(700, result.outputTokens ?? 700);
      await stub.settle(result.reservationId, { tokens: 100 + output, usd: 100 * 2.5e-6 + output * 1e-5 });
    }
    expect(granted).toHaveLength(7);
    expect(granted.slice(0, 2)).toEqual([4096, 4096]);
    expect(granted[6]).toBe(625);
    expect((await stub.usage(T0)).day.usd).toBeCloseTo(0.05, 12);
    expect(refused).toMatchObject({
      ok: false,
      limit: 'usd_per_day',
      resetSeconds: 12 * 3600,
      shortfall: { left: 0, fits: 0, min: 256 },
    });
    expect(refused && !refused.ok && refusal(refused).headers).not.toHaveProperty('retry-after');
  });

  it('says what would fit when the asked output does not but a shorter one would', async () => {
    const stub = fresh();
    // $0.001 left: 100 prompt tokens ($0.00025) leave room for 75 output tokens; a minimal answer of 256 does not fit.
    const result = await stub.reserve(input(gpt4o(100, 1000), { usd_per_day: 0.001 }));
    expect(result).toMatchObject({ ok: false, limit: 'usd_per_day', shortfall: { left: 0.001, wanted: 0.01025, fits: 75, min: 256 } });
    // Asked for 75 or fewer, it is admitted as asked.
    expect(await stub.reserve(input(gpt4o(100, 75), { usd_per_day: 0.001 }))).toMatchObject({ ok: true, outputTokens: 75 });
  });

  it('narrows by tokens per day too, counting every choice', async () => {
    const result = await fresh().reserve(input(gpt4o(100, 4096, { choices: 2 }), { tokens_per_day: 2100 }));
    expect(result).toMatchObject({ ok: true, outputTokens: 1000, reserved: { tokens: 2100 } });
  });

  it('leaves the output alone for a key limited only by requests per minute', async () => {
    expect(await fresh().reserve(input(gpt4o(100, 4096), { requests_per_minute: 5 }))).toMatchObject({ ok: true, outputTokens: null });
  });

  it('under 60 concurrent calls, admits exactly what the reservations allow and never holds more than the budget', async () => {
    const stub = fresh();
    // Each asks for 1000 output tokens ($0.01025 with its prompt): four in full, a fifth narrowed to 875, no more.
    const results = await Promise.all(Array.from({ length: 60 }, () => stub.reserve(input(gpt4o(100, 1000), { usd_per_day: 0.05 }))));
    const admitted = results.filter((r) => r.ok) as unknown as Admitted[];
    expect(admitted.map((r) => r.outputTokens).sort((a, b) => (b ?? 0) - (a ?? 0))).toEqual([1000, 1000, 1000, 1000, 875]);
    expect(admitted.reduce((sum, r) => sum + r.reserved.usd, 0)).toBeCloseTo(0.05, 12);
    expect((await stub.usage(T0, limited({ usd_per_day: 0.05 }))).remaining.usd_per_day).toBe(0);
  });
});

describe('numbers no counter can hold', () => {
  for (const [name, bound] of [
    ['an infinite output', gpt4o(100, Number.POSITIVE_INFINITY)],
    ['1e308 output tokens', gpt4o(100, 1e308)],
    ['1e300 output tokens', gpt4o(100, 1e300)],
    ['a NaN price', { ...gpt4o(100, 10), usd: Number.NaN }],
    ['a negative prompt', { ...gpt4o(100, 10), tokens: -5 }],
  ] as const) {
    it(`refuses ${name} and stores nothing, so the key keeps working`, async () => {
      const stub = fresh();
      expect(await stub.reserve(input(bound, { usd_per_day: 1 }))).toMatchObject({ ok: false, limit: 'unrepresentable' });
      const ok = await stub.reserve(input(gpt4o(100, 10), { usd_per_day: 1 }));
      expect(ok.ok).toBe(true);
      await stub.settle((ok as Admitted).reservationId, { tokens: 110, usd: 0.00035 });
      expect((await stub.usage(T0)).day).toMatchObject({ requests: 1, tokens: 110, usd: 0.00035 });
    });
  }

  it('a settle with a figure it cannot hold charges what was reserved instead of failing', async () => {
    const stub = fresh();
    const ok = (await stub.reserve(input(gpt4o(100, 10), { usd_per_day: 1 }))) as Admitted;
    expect(await stub.settle(ok.reservationId, { tokens: Number.POSITIVE_INFINITY, usd: Number.NaN })).toEqual({ status: 'settled' });
    expect((await stub.usage(T0)).day).toMatchObject({ tokens: 110, usd: 0.00035 });
  });
});

describe('property: seeded budgets, prices, prompts, output limits and concurrency', () => {
  const seen = { admitted: 0, narrowed: 0, refused: 0 };
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: settled spend never exceeds the budget, and only unaffordable calls are refused`, async () => {
      const random = seeded(seed);
      const stub = fresh();
      const budget = Math.round((0.01 + random() * 1.5) * 1e6) / 1e6;
      const inputRate = (0.05 + random() * 15) / 1e6;
      const outputRate = (0.2 + random() * 60) / 1e6;
      const min = 1 + Math.floor(random() * 512);
      let spent = 0;
      const counts = { admitted: 0, narrowed: 0, refused: 0 };
      for (let round = 0; round < 12; round++) {
        const concurrency = 1 + Math.floor(random() * 12);
        const bounds = Array.from({ length: concurrency }, (): CallBound => {
          const prompt = 1 + Math.floor(random() * 4_000);
          const asked = 1 + Math.floor(random() * 8_000);
          return {
            tokens: prompt,
            usd: prompt * inputRate,
            output: { tokens: asked, min: Math.min(min, asked), choices: 1 + Math.floor(random() * 2), usdPerToken: outputRate },
          };
        });
        const results = await Promise.all(bounds.map((b) => stub.reserve(input(b, { usd_per_day: budget }))));
        const reservedInRound = results.reduce((sum, r) => sum + (r.ok ? r.reserved.usd : 0), 0);
        expect(spent + reservedInRound).toBeLessThanOrEqual(budget + 1e-9);
        for (const [i, result] of results.entries()) {
          const bound = bounds[i] as CallBound;
          const output = bound.output as NonNullable<CallBound['output']>;
          const minimal = bound.usd + output.min * output.choices * outputRate;
          if (!result.ok) {
            counts.refused++;
            // Refused only if, even with everything admitted in its round counted against it, a minimal call did not fit.
            expect(minimal).toBeGreaterThan(budget - spent - reservedInRound - 1e-9);
            continue;
          }
          counts.admitted++;
          if ((result.outputTokens ?? 0) < output.tokens) counts.narrowed++;
          // The model uses some of what it was allowed (the upstream honours max_tokens).
          const used = Math.floor(random() * ((result.outputTokens ?? 0) + 1)) * output.choices;
          const usd = bound.usd + used * outputRate;
          expect(usd).toBeLessThanOrEqual(result.reserved.usd + 1e-12);
          await stub.settle(result.reservationId, { tokens: bound.tokens + used, usd });
          spent += Math.ceil(usd * 1e9 - 1e-3) / 1e9;
        }
        const day = (await stub.usage(T0)).day.usd;
        expect(day).toBeLessThanOrEqual(budget + 1e-9);
        spent = day;
      }
      expect(counts.admitted + counts.refused).toBeGreaterThan(12);
      for (const key of ['admitted', 'narrowed', 'refused'] as const) seen[key] += counts[key];
    });
  }

  it('the seeds exercised every path: calls admitted whole, narrowed and refused', () => {
    expect(seen.admitted - seen.narrowed).toBeGreaterThan(10);
    expect(seen.narrowed).toBeGreaterThan(5);
    expect(seen.refused).toBeGreaterThan(10);
  });
});
