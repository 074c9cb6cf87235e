import type { Clock } from '../../../src/gateway/clock.ts';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly ms: number;
  readonly callback: () => void;
}

/** Lets the gateway's pending promise reactions and I/O callbacks run: one turn of the real event loop, no fixed wait. */
export const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A clock that moves only when a test says so. `advance(ms)` fires every timer due by then, in order of
 * due time (then of scheduling), timers scheduled while firing included, and lets each one's promise
 * reactions run before the next fires. Wall time moves with monotonic time.
 */
export class FakeClock implements Clock {
  #now = 0;
  readonly #wallStart: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  readonly #waiters = new Set<() => void>();

  constructor(wallStart = Date.UTC(2026, 0, 1)) {
    this.#wallStart = wallStart;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#wallStart + this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), ms, callback });
    for (const wake of [...this.#waiters]) wake();
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** The delays (as scheduled) of the timers still pending, soonest first. */
  pending(): number[] {
    return this.#sorted().map((t) => t.ms);
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      await turn();
      const due = this.#sorted().find((t) => t.at <= until);
      if (!due) break;
      this.#timers.delete(due.id);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = until;
    await turn();
  }

  /** Resolves once a timer matching `match` (by its scheduled delay) is pending: the code under test is now waiting on the clock. */
  scheduled(match: (ms: number) => boolean = () => true): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.#sorted().some((t) => match(t.ms))) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for a timer of exactly `ms` to be scheduled, then moves time by `ms`: fires it (and whatever falls due with it). */
  async advanceWhenScheduled(ms: number): Promise<void> {
    await this.scheduled((delay) => delay === ms);
    await this.advance(ms);
  }

  #sorted(): Timer[] {
    return [...this.#timers.values()].sort((a, b) => a.at - b.at || a.id - b.id);
  }
}

/** Resolves once `check` passes, polling with tiny real-time yields (for effects outside the clock, such as an upstream connection closing). */
export async function until(check: () => boolean | Promise<boolean>, what: string, tries = 1000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`gave up waiting until ${what}`);
}
