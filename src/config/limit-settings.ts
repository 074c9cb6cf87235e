import { boolean, optionalLimit, positiveInt } from './typed-variables.ts';
import { readVariable } from './variables.ts';

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
  /** BUDGET_MIN_OUTPUT_TOKENS: the shortest answer a budget narrows a call to before it refuses the call. */
  readonly minOutputTokens: number;
  /** Undefined: the admin API does not exist. */
  readonly adminToken: string | undefined;
}

/** Reads ADMIN_TOKEN, KEY_* limits, LIMITS_FAIL_OPEN and LIMITS_RESERVATION_TTL_SECONDS; fails fast on a bad value. */
export function readLimitSettings(env: object): LimitSettings {
  const failOpen = boolean(env, 'LIMITS_FAIL_OPEN');
  const adminToken = readVariable(env, 'ADMIN_TOKEN');
  return {
    staticLimits: {
      requests_per_minute: optionalLimit(env, 'KEY_REQUESTS_PER_MINUTE', true),
      tokens_per_day: optionalLimit(env, 'KEY_TOKENS_PER_DAY', true),
      usd_per_day: optionalLimit(env, 'KEY_USD_PER_DAY', false),
      usd_per_month: optionalLimit(env, 'KEY_USD_PER_MONTH', false),
    },
    failOpen,
    // Never empty: the variable's declared default (900) stands in for an unset one.
    reservationTtlMs: positiveInt(env, 'LIMITS_RESERVATION_TTL_SECONDS') * 1000,
    minOutputTokens: positiveInt(env, 'BUDGET_MIN_OUTPUT_TOKENS'),
    adminToken: adminToken === '' ? undefined : adminToken,
  };
}
