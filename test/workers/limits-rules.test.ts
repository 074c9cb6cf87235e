import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { formatResetDuration, rateLimitHeaders } from '../../src/limits/limit-headers.ts';
import { readLimitSettings } from '../../src/config/limit-settings.ts';
import { modelMatches } from '../../src/limits/model-pattern.ts';

// The pure rules under the limits: model patterns, OpenAI's reset durations, and the limit variables.

describe('model patterns', () => {
  const cases: [string, string, boolean][] = [
    ['openai/*', 'openai/gpt-4o-mini', true],
    ['openai/*', 'openai/', true],
    ['openai/*', 'openaix/gpt-4o', false],
    ['openai/*', 'azure/openai/gpt-4o', false],
    ['openai/gpt-4o', 'openai/gpt-4o', true],
    ['openai/gpt-4o', 'openai/gpt-4o-mini', false],
    ['openai/gpt-4o*', 'openai/gpt-4o-mini', true],
    ['*/llama-*-instant', 'groq/llama-3.1-8b-instant', true],
    ['*/llama-*-instant', 'groq/llama-3.1-8b-versatile', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'ac', false],
    ['a*a', 'a', false],
    ['*', 'anything/at-all', true],
    ['openai/gpt.4o', 'openai/gpt-4o', false],
  ];
  for (const [pattern, model, expected] of cases) {
    it(`${expected ? 'lets' : 'keeps'} ${pattern} ${expected ? 'match' : 'from matching'} ${model}`, () => {
      expect(modelMatches(pattern, model)).toBe(expected);
    });
  }
});

describe("OpenAI's reset durations", () => {
  it('writes milliseconds, seconds, minutes and hours as OpenAI does', () => {
    expect([0, 250, 1000, 1001, 59_000, 60_000, 360_000, 3_723_000].map(formatResetDuration)).toEqual([
      '0ms',
      '250ms',
      '1s',
      '2s',
      '59s',
      '1m0s',
      '6m0s',
      '1h2m3s',
    ]);
  });

  it('never reports a negative remaining count', () => {
    expect(rateLimitHeaders({ limit: 5, remaining: -2, resetMs: 1000 }, null)).toEqual({
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1s',
    });
  });
});

describe('the limit variables', () => {
  it('default to unlimited static keys, fail closed, a 15-minute reservation, 256 output tokens at least and no admin API', () => {
    expect(readLimitSettings({})).toEqual({
      staticLimits: { requests_per_minute: null, tokens_per_day: null, usd_per_day: null, usd_per_month: null },
      failOpen: false,
      reservationTtlMs: 900_000,
      minOutputTokens: 256,
      adminToken: undefined,
    });
  });

  it('read the static keys’ limits, fail-open and the admin token', () => {
    const settings = readLimitSettings({
      KEY_REQUESTS_PER_MINUTE: '60',
      KEY_TOKENS_PER_DAY: '100000',
      KEY_USD_PER_DAY: '1.5',
      KEY_USD_PER_MONTH: '20',
      LIMITS_FAIL_OPEN: 'TRUE',
      LIMITS_RESERVATION_TTL_SECONDS: '120',
      BUDGET_MIN_OUTPUT_TOKENS: '100',
      ADMIN_TOKEN: ' secret ',
    });
    expect(settings).toEqual({
      staticLimits: { requests_per_minute: 60, tokens_per_day: 100_000, usd_per_day: 1.5, usd_per_month: 20 },
      failOpen: true,
      reservationTtlMs: 120_000,
      minOutputTokens: 100,
      adminToken: 'secret',
    });
  });

  for (const [name, value] of [
    ['KEY_REQUESTS_PER_MINUTE', '1.5'],
    ['KEY_TOKENS_PER_DAY', '-1'],
    ['KEY_USD_PER_DAY', 'ten'],
    ['LIMITS_FAIL_OPEN', 'yes'],
    ['LIMITS_RESERVATION_TTL_SECONDS', '0'],
    ['BUDGET_MIN_OUTPUT_TOKENS', '0'],
  ] as const) {
    it(`refuse ${name}="${value}" with a configuration error naming it`, () => {
      let error: unknown;
      try {
        readLimitSettings({ [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 500, code: 'config_error', param: name });
    });
  }
});
