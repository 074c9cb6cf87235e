// A key's usage report, from the figures its object holds.
import { fromNano, toNano } from './amounts.ts';
import type { KeyLimitValues, KeyRecord } from './key-record.ts';
import { dayOf, monthOf, type PeriodTotals } from './ledger.ts';

/** What a key has used in one period. */
export interface PeriodUsage {
  readonly period: string;
  readonly requests: number;
  readonly tokens: number;
  readonly usd: number;
}

/** A key's usage at `now`: settled and reserved amounts together (reservations are what may still be spent). */
export interface KeyUsage {
  readonly object: 'gateway.key.usage';
  readonly record: KeyRecord | null;
  readonly minute: { readonly requests: number };
  readonly day: PeriodUsage;
  readonly month: PeriodUsage;
  readonly pending: { readonly reservations: number; readonly tokens: number; readonly usd: number };
  readonly limits: KeyLimitValues;
  /** null where the limit is unlimited. */
  readonly remaining: {
    readonly requests_per_minute: number | null;
    readonly tokens_per_day: number | null;
    readonly usd_per_day: number | null;
    readonly usd_per_month: number | null;
  };
}

/** The figures a usage report is made of, as the object's storage holds them. */
export interface UsageFigures {
  readonly record: KeyRecord | null;
  readonly now: number;
  readonly minute: number;
  readonly day: PeriodTotals;
  readonly month: PeriodTotals;
  readonly pending: { readonly n: number; readonly tokens: number; readonly nano_usd: number };
}

const left = (limit: number | null, used: number) => (limit === null ? null : Math.max(0, limit - used));
const leftUsd = (limit: number | null, usedNano: number) =>
  limit === null ? null : fromNano(Math.max(0, toNano(limit, Math.round) - usedNano));

/** What the key has used today, this month and this minute, its limits and what remains. */
export function keyUsage({ record, now, minute, day, month, pending }: UsageFigures): KeyUsage {
  const limits: KeyLimitValues = {
    requests_per_minute: record?.requests_per_minute ?? null,
    tokens_per_day: record?.tokens_per_day ?? null,
    usd_per_day: record?.usd_per_day ?? null,
    usd_per_month: record?.usd_per_month ?? null,
  };
  return {
    object: 'gateway.key.usage',
    record,
    minute: { requests: minute },
    day: { period: dayOf(now), requests: day.requests, tokens: day.tokens, usd: fromNano(day.nano_usd) },
    month: { period: monthOf(now), requests: month.requests, tokens: month.tokens, usd: fromNano(month.nano_usd) },
    pending: { reservations: pending.n, tokens: pending.tokens, usd: fromNano(pending.nano_usd) },
    limits,
    remaining: {
      requests_per_minute: left(limits.requests_per_minute, minute),
      tokens_per_day: left(limits.tokens_per_day, day.tokens),
      usd_per_day: leftUsd(limits.usd_per_day, day.nano_usd),
      usd_per_month: leftUsd(limits.usd_per_month, month.nano_usd),
    },
  };
}
