// What a gateway key may do: its record as the admin API shows it (never the key, never its hash).

import type { KeyLimitValues } from '../config/limit-settings.ts';

export type { KeyLimitValues };

/** A key's record: who it is, what it may spend, which models and origins it may use. */
export interface KeyRecord extends KeyLimitValues {
  readonly object: 'gateway.key';
  readonly id: string;
  readonly name: string;
  /** Allowed models as patterns (`openai/*`, `openai/gpt-4o-mini`); null allows any. */
  readonly models: readonly string[] | null;
  /** Allowed browser origins (`https://app.example.com`); null allows any. */
  readonly origins: readonly string[] | null;
  /** Unix seconds after which the key is refused; null never expires. */
  readonly expires_at: number | null;
  readonly revoked: boolean;
  /** Unix seconds. */
  readonly created_at: number;
  /** Static keys (GATEWAY_API_KEYS) have no admin record; their limits come from vars. */
  readonly kind: 'managed' | 'static';
}

export const UNLIMITED: KeyLimitValues = { requests_per_minute: null, tokens_per_day: null, usd_per_day: null, usd_per_month: null };

/** The record a static key is treated as, with the limits the vars give every static key. */
export function staticRecord(limits: KeyLimitValues): KeyRecord {
  return {
    object: 'gateway.key',
    id: 'static',
    name: 'static',
    models: null,
    origins: null,
    expires_at: null,
    revoked: false,
    created_at: 0,
    kind: 'static',
    ...limits,
  };
}

/** Why a key cannot be used at `now` (ms), or null when it can. */
export function unusableReason(record: KeyRecord, now: number): 'revoked' | 'expired' | null {
  if (record.revoked) return 'revoked';
  if (record.expires_at !== null && record.expires_at * 1000 <= now) return 'expired';
  return null;
}
