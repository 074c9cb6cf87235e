import type { CooldownSettings } from '../config/settings.ts';

/**
 * Per-isolate memory of deployments (`provider/model`) that keep failing: one that failed retryably for
 * `failures` different requests within `windowMs` is skipped for `cooldownMs`, so a dead deployment does not
 * cost every request its whole retry budget. One request's own retries count once: a single unlucky request
 * never cools a model down for everyone. Other models of the same provider are not affected.
 */
export class Cooldown {
  readonly #failures = new Map<string, { readonly at: number; readonly request: string }[]>();
  readonly #until = new Map<string, number>();
  readonly #now: () => number;
  readonly #log: (line: Record<string, unknown>) => void;

  constructor(now: () => number, log: (line: Record<string, unknown>) => void) {
    this.#now = now;
    this.#log = log;
  }

  /** Milliseconds left in this deployment's cooldown, 0 when it is available (and logs when a cooldown has ended). */
  remainingMs(model: string): number {
    const until = this.#until.get(model);
    if (until === undefined) return 0;
    const left = until - this.#now();
    if (left > 0) return left;
    this.#until.delete(model);
    this.#log({ event: 'cooldown_end', model });
    return 0;
  }

  /** Counts a retryable failure of one request (once per request); returns true when it sent the deployment into cooldown. */
  recordFailure(model: string, settings: CooldownSettings, requestId: string): boolean {
    const now = this.#now();
    const recent = (this.#failures.get(model) ?? []).filter((f) => now - f.at < settings.windowMs);
    if (recent.some((f) => f.request === requestId)) {
      this.#failures.set(model, recent);
      return false;
    }
    recent.push({ at: now, request: requestId });
    this.#failures.set(model, recent);
    if (recent.length < settings.failures || this.#until.has(model)) return false;
    this.#until.set(model, now + settings.cooldownMs);
    this.#failures.delete(model);
    this.#log({ event: 'cooldown_start', model, failures: recent.length, cooldown_ms: settings.cooldownMs });
    return true;
  }

  /** A success clears the deployment's failure count. */
  recordSuccess(model: string): void {
    this.#failures.delete(model);
  }
}
