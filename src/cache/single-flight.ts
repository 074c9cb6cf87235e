/**
 * Coalesces identical work in one isolate: while a call for a key is in flight, others for the same key
 * wait for its result instead of starting their own (one upstream call for N identical cache misses).
 */
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>();

  /** Runs `work` for `key`, or joins the run already in flight; `joined` tells which. */
  run(key: string, work: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const pending = this.#inflight.get(key);
    if (pending) return { result: pending, joined: true };
    const result = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, result);
    return { result, joined: false };
  }
}
