import { describe, expect, it } from 'vitest';
import { sleep, within } from '../../src/gateway/clock.ts';
import { FakeClock } from './support/fake-clock.ts';

describe('FakeClock', () => {
  it('fires due timers in order of due time, then of scheduling, with now() at each one’s due time', async () => {
    const clock = new FakeClock();
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['a2', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['late', clock.now()]), 301);
    await clock.advance(300);
    expect(fired).toEqual([
      ['a', 100],
      ['a2', 100],
      ['b', 200],
    ]);
    expect(clock.now()).toBe(300);
    expect(clock.pending()).toEqual([301]);
  });

  it('fires timers scheduled while firing when they fall due within the same advance', async () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 100);
    await clock.advance(350);
    expect(fired).toEqual([100, 200, 300]);
  });

  it('never fires a cleared timer, and moves wall time with monotonic time', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    let fired = false;
    clock.clearTimeout(clock.setTimeout(() => (fired = true), 10));
    await clock.advance(1000);
    expect(fired).toBe(false);
    expect(clock.wallNow()).toBe(Date.UTC(2026, 0, 1) + 1000);
  });

  it('runs the pipeline’s sleep and within on fake time, letting promise reactions run between timers', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    void sleep(clock, 100, new AbortController().signal).then(() => order.push(`slept at ${clock.now()}`));
    const late = within(clock, new Promise<string>(() => {}), 250).then((v) => order.push(`gave up at ${clock.now()} with ${v}`));
    const scheduled = clock.scheduled((ms) => ms === 250);
    await scheduled;
    await clock.advance(300);
    await late;
    expect(order).toEqual(['slept at 100', 'gave up at 250 with undefined']);
  });

  it('tells when the code under test is waiting on it', async () => {
    const clock = new FakeClock();
    let waiting = false;
    void clock.scheduled((ms) => ms === 5000).then(() => (waiting = true));
    clock.setTimeout(() => {}, 10);
    await clock.advance(0);
    expect(waiting).toBe(false);
    clock.setTimeout(() => {}, 5000);
    await clock.advance(0);
    expect(waiting).toBe(true);
  });
});
