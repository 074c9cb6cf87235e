/** Time as the pipeline sees it: injected, so tests run on a fake clock and never sleep. */
export interface Clock {
  /** Monotonic milliseconds, for latencies, deadlines and timeouts. */
  now(): number;
  /** Wall-clock milliseconds, for `Retry-After` dates and cache ages. */
  wallNow(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The runtime's own clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Waits `ms` on the clock, or rejects with the signal's reason as soon as it aborts. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      signal.removeEventListener('abort', abort);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    const abort = () => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Resolves with the promise's value, or with undefined if it takes longer than `ms` on the clock. */
export function within<T>(clock: Clock, promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: unknown;
  const late = new Promise<undefined>((resolve) => {
    timer = clock.setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clock.clearTimeout(timer));
}
