import { describe, expect, it } from 'vitest';
import { Cooldown } from '../../src/gateway/cooldown.ts';
import { FakeClock } from './support/fake-clock.ts';

const settings = { failures: 3, windowMs: 10_000, cooldownMs: 30_000 };
const MODEL = 'openai/gpt-4o-mini';
/** A new request id: each failure below is another request's, unless a test says otherwise. */
const request = () => crypto.randomUUID();

function cooldownOnFakeClock() {
  const clock = new FakeClock();
  const lines: Record<string, unknown>[] = [];
  return {
    clock,
    lines,
    cooldown: new Cooldown(
      () => clock.now(),
      (line) => lines.push(line),
    ),
  };
}

describe('Cooldown', () => {
  it("counts one request's retries once: three failed attempts of one request cool nothing down", () => {
    const { cooldown } = cooldownOnFakeClock();
    for (let i = 0; i < 3; i++) expect(cooldown.recordFailure(MODEL, settings, 'req-1')).toBe(false);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
    expect(cooldown.recordFailure(MODEL, settings, 'req-2')).toBe(false);
    expect(cooldown.recordFailure(MODEL, settings, 'req-3')).toBe(true);
  });

  it('starts after `failures` failures within the window, and only then', async () => {
    const { clock, lines, cooldown } = cooldownOnFakeClock();
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    await clock.advance(4000);
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
    await clock.advance(4000);
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(true);
    expect(cooldown.remainingMs(MODEL)).toBe(30_000);
    expect(lines).toEqual([{ event: 'cooldown_start', model: MODEL, failures: 3, cooldown_ms: 30_000 }]);
  });

  it('counts only failures inside the window', async () => {
    const { clock, cooldown } = cooldownOnFakeClock();
    cooldown.recordFailure(MODEL, settings, request());
    cooldown.recordFailure(MODEL, settings, request());
    await clock.advance(10_000);
    // The first two are now exactly windowMs old: out of the window.
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(true);
  });

  it('counts down on the clock and ends exactly after cooldownMs, logging the end once', async () => {
    const { clock, lines, cooldown } = cooldownOnFakeClock();
    for (let i = 0; i < 3; i++) cooldown.recordFailure(MODEL, settings, request());
    await clock.advance(29_999);
    expect(cooldown.remainingMs(MODEL)).toBe(1);
    await clock.advance(1);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
    expect(lines.filter((l) => l['event'] === 'cooldown_end')).toEqual([{ event: 'cooldown_end', model: MODEL }]);
  });

  it('starts afresh after it ends: the failures that caused it do not count again', async () => {
    const { clock, cooldown } = cooldownOnFakeClock();
    for (let i = 0; i < 3; i++) cooldown.recordFailure(MODEL, settings, request());
    await clock.advance(30_000);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
  });

  it('does not restart or extend a cooldown already running', async () => {
    const { clock, cooldown } = cooldownOnFakeClock();
    for (let i = 0; i < 3; i++) cooldown.recordFailure(MODEL, settings, request());
    await clock.advance(1000);
    for (let i = 0; i < 3; i++) expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    expect(cooldown.remainingMs(MODEL)).toBe(29_000);
  });

  it('forgets the failure count on a success', () => {
    const { cooldown } = cooldownOnFakeClock();
    cooldown.recordFailure(MODEL, settings, request());
    cooldown.recordFailure(MODEL, settings, request());
    cooldown.recordSuccess(MODEL);
    expect(cooldown.recordFailure(MODEL, settings, request())).toBe(false);
    expect(cooldown.remainingMs(MODEL)).toBe(0);
  });

  it('is per deployment: other models (of the same provider too) are not affected', () => {
    const { cooldown } = cooldownOnFakeClock();
    for (let i = 0; i < 3; i++) cooldown.recordFailure(MODEL, settings, request());
    expect(cooldown.remainingMs(MODEL)).toBeGreaterThan(0);
    expect(cooldown.remainingMs('openai/gpt-4.1-mini')).toBe(0);
    expect(cooldown.recordFailure('openai/gpt-4.1-mini', settings, request())).toBe(false);
  });
});
