import type { KeyLimits } from './key-limits.ts';
import type { LimitSettings } from '../config/limit-settings.ts';

/** What the limit checks need from the composition root. */
export interface LimitsDeps {
  /** The LIMITS binding: one object per key, named by the SHA-256 (hex) of the key. */
  readonly keys: DurableObjectNamespace<KeyLimits>;
  readonly settings: LimitSettings;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  readonly now: () => number;
}

/** The limit checks' dependencies from the Worker's bindings: the LIMITS namespace, the limit settings, wall-clock time. */
export function limitsDepsFor(env: Env, settings: LimitSettings, now: () => number): LimitsDeps {
  return { keys: env.LIMITS, settings, now };
}

/** The object of the key with this hash. */
export const keyObject = (deps: Pick<LimitsDeps, 'keys'>, keyHash: string) => deps.keys.get(deps.keys.idFromName(keyHash));
