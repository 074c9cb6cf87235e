// What callers send a key's object and get back: numbers only (the HTTP layer writes them as headers).
import type { RateLimits } from '../core/limit-state.ts';
import type { KeyRecord } from './key-record.ts';

export type LimitName = 'requests_per_minute' | 'tokens_per_day' | 'usd_per_day' | 'usd_per_month';
export type BudgetLimitName = Exclude<LimitName, 'requests_per_minute'>;

/** The output a call may produce, which a budget may narrow: per choice, never below `min`. */
export interface OutputBound {
  /** Output tokens per choice the request asks for (or the default). */
  readonly tokens: number;
  /** The least output per choice worth sending; below it the call is refused instead. */
  readonly min: number;
  readonly choices: number;
  /** The dearest output price of the call's model chain, US dollars per token (0: unpriced). */
  readonly usdPerToken: number;
}

/** What a call may cost at most: a fixed part (its prompt), and the output it may produce. */
export interface CallBound {
  readonly tokens: number;
  readonly usd: number;
  readonly output?: OutputBound;
}

/** A request for budget, bounded as above. `now` is ms since the epoch (injected so tests use a fake clock). */
export interface ReserveInput extends CallBound {
  readonly requestId: string;
  readonly now: number;
  /** When the reservation lapses if no settle comes. */
  readonly ttlMs?: number;
  /** The record to use when this object holds none: a static key, limited by vars. */
  readonly fallback?: KeyRecord;
}

/** Why a budget refused: what is left, what the request's bound would cost, and the most output per choice that fits. */
export interface BudgetShortfall {
  /** Dollars (usd limits) or tokens (tokens_per_day) left in the period, after the reservations in flight. */
  readonly left: number;
  /** What the request's bound would take, in the same unit: the fixed part plus the asked output. */
  readonly wanted: number;
  /** The most output tokens per choice that would fit now (0 when even the prompt does not). */
  readonly fits: number;
  /** The least output per choice the gateway sends. */
  readonly min: number;
}

/** A budget that cannot pay for the request: which one, when it resets (seconds), and by how much it falls short. */
export interface BudgetRefusal {
  readonly ok: false;
  readonly limit: BudgetLimitName;
  /** When the period resets (seconds): waiting is rarely the remedy, so no Retry-After is sent for it. */
  readonly resetSeconds: number;
  readonly shortfall: BudgetShortfall;
}

/** Why the object refused a request; `limits` is the key's rate-limit state at the refusal. */
export type Refusal = { readonly limits: RateLimits } & (
  | { readonly ok: false; readonly limit: 'requests_per_minute'; readonly retryAfterSeconds: number }
  | BudgetRefusal
  | { readonly ok: false; readonly limit: 'revoked' | 'expired' | 'unknown_key' }
  /** An amount no counter can hold (not finite, negative, or beyond exact integers): refused, never stored. */
  | { readonly ok: false; readonly limit: 'unrepresentable' }
);

/** A reservation the object granted, with the key's rate-limit state after it. */
export interface Granted {
  readonly ok: true;
  readonly reservationId: string;
  /** What is held until the settle. */
  readonly reserved: { readonly tokens: number; readonly usd: number };
  /** Output tokens per choice the call may use, when a token or dollar limit bounds it (send it upstream). */
  readonly outputTokens: number | null;
  readonly limits: RateLimits;
}

export type ReserveResult = Granted | Refusal;

export interface SettleResult {
  /** `settled`: charged the real usage; `late`: the reservation had expired and is now charged; `unknown`: nothing to settle (already settled). */
  readonly status: 'settled' | 'late' | 'unknown';
}
