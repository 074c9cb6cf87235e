import { describe, expect, it } from 'vitest';
import { backoffMs, serverDelayMs } from '../../src/gateway/retry-timing.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('serverDelayMs', () => {
  it('reads Retry-After in seconds, whole or decimal', () => {
    expect(serverDelayMs({ 'retry-after': '2' }, NOW)).toBe(2000);
    expect(serverDelayMs({ 'retry-after': ' 1.5 ' }, NOW)).toBe(1500);
    expect(serverDelayMs({ 'retry-after': '0' }, NOW)).toBe(0);
  });

  it('reads Retry-After as an HTTP date, against the wall clock given; a past date is no wait', () => {
    expect(serverDelayMs({ 'retry-after': new Date(NOW + 5000).toUTCString() }, NOW)).toBe(5000);
    expect(serverDelayMs({ 'retry-after': 'Thu, 01 Jan 2026 12:01:00 GMT' }, NOW)).toBe(60_000);
    expect(serverDelayMs({ 'retry-after': new Date(NOW - 5000).toUTCString() }, NOW)).toBe(0);
  });

  it('prefers retry-after-ms (OpenAI’s) over Retry-After, and falls back to Retry-After when it is unusable', () => {
    expect(serverDelayMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, NOW)).toBe(1500);
    expect(serverDelayMs({ 'retry-after-ms': '250.5' }, NOW)).toBe(250.5);
    expect(serverDelayMs({ 'retry-after-ms': '-1', 'retry-after': '3' }, NOW)).toBe(3000);
    expect(serverDelayMs({ 'retry-after-ms': 'soon', 'retry-after': '3' }, NOW)).toBe(3000);
  });

  it('has no hint for absent, empty or unparsable values', () => {
    expect(serverDelayMs({}, NOW)).toBeUndefined();
    expect(serverDelayMs({ 'retry-after': '' }, NOW)).toBeUndefined();
    expect(serverDelayMs({ 'retry-after': 'later' }, NOW)).toBeUndefined();
  });
});

describe('backoffMs (full jitter)', () => {
  const settings = { baseMs: 500, capMs: 4000 };

  it('reaches base·2^(retry-1) at the top of the jitter, capped at capMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, settings, () => 1))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('is 0 at the bottom of the jitter, and scales linearly in between', () => {
    expect(backoffMs(3, settings, () => 0)).toBe(0);
    expect(backoffMs(3, settings, () => 0.5)).toBe(1000);
    expect(backoffMs(1, settings, () => 0.25)).toBe(125);
  });

  it('stays within [0, min(cap, base·2^(retry-1))] for any random value', () => {
    // A fixed pseudo-random sequence (LCG), so the test is repeatable.
    let seed = 42;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) % 2 ** 32;
      return seed / 2 ** 32;
    };
    for (let retry = 1; retry <= 8; retry++) {
      const ceiling = Math.min(settings.capMs, settings.baseMs * 2 ** (retry - 1));
      const waits = Array.from({ length: 200 }, () => backoffMs(retry, settings, random));
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...waits)).toBeLessThanOrEqual(ceiling);
      expect(waits.every(Number.isInteger)).toBe(true);
      // Full jitter spreads the waits: not bunched at the ceiling.
      expect(Math.min(...waits)).toBeLessThan(ceiling / 4);
    }
  });
});
