import { readVariable } from './variables.ts';
import { configError } from '../errors.ts';

/** Per-key limits; null means unlimited. */
export interface KeyLimitValues {
  readonly requests_per_minute: number | null;
  readonly tokens_per_day: number | null;
  readonly usd_per_day: number | null;
  readonly usd_per_month: number | null;
}

/** How limits are enforced in this deployment, read once from vars and secrets. */
export interface LimitSettings {
  /** The limits every static key (GATEWAY_API_KEYS) gets; managed keys carry their own. */
  readonly staticLimits: KeyLimitValues;
  /** Let requests through without limits when the key's object cannot be reached (never for checking a managed key). */
  readonly failOpen: boolean;
  readonly reservationTtlMs: number;
  /** Undefined: the admin API does not exist. */
  readonly adminToken: string | undefined;
}

function optionalPositive(env: object, name: string, integer: boolean): number | null {
  const raw = readVariable(env, name);
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw configError(name, `expected a positive ${integer ? 'whole number' : 'number'}, or empty for unlimited; got "${raw}".`);
  return n;
}

/** Reads ADMIN_TOKEN, KEY_* limits, LIMITS_FAIL_OPEN and LIMITS_RESERVATION_TTL_SECONDS; fails fast on a bad value. */
export function readLimitSettings(env: object): LimitSettings {
  const failOpen = readVariable(env, 'LIMITS_FAIL_OPEN').toLowerCase();
  if (failOpen !== 'true' && failOpen !== 'false') throw configError('LIMITS_FAIL_OPEN', `expected "true" or "false", got "${failOpen}".`);
  const ttl = optionalPositive(env, 'LIMITS_RESERVATION_TTL_SECONDS', true);
  const adminToken = readVariable(env, 'ADMIN_TOKEN');
  return {
    staticLimits: {
      requests_per_minute: optionalPositive(env, 'KEY_REQUESTS_PER_MINUTE', true),
      tokens_per_day: optionalPositive(env, 'KEY_TOKENS_PER_DAY', true),
      usd_per_day: optionalPositive(env, 'KEY_USD_PER_DAY', false),
      usd_per_month: optionalPositive(env, 'KEY_USD_PER_MONTH', false),
    },
    failOpen: failOpen === 'true',
    reservationTtlMs: (ttl ?? 900) * 1000,
    adminToken: adminToken === '' ? undefined : adminToken,
  };
}
