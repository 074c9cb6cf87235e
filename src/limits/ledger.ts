// The period ledger: requests, tokens and nano-dollars per UTC day and month, in the key object's SQLite storage.
import { MAX_AMOUNT } from './amounts.ts';

/** The UTC day (`2026-01-15`) and month (`2026-01`) a moment falls in. */
export const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);
export const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);

export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export function nextUtcMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** What one period holds: settled amounts plus what reservations in flight hold. */
export interface PeriodTotals {
  readonly requests: number;
  readonly tokens: number;
  readonly nano_usd: number;
}

const EMPTY: PeriodTotals = { requests: 0, tokens: 0, nano_usd: 0 };

/** The totals of each period, one row a period. */
export class Ledger {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(
      'CREATE TABLE IF NOT EXISTS periods (period TEXT PRIMARY KEY, requests INTEGER NOT NULL, tokens INTEGER NOT NULL, nano_usd INTEGER NOT NULL)',
    );
  }

  /** The totals of `period` (a day or a month); zero when nothing was counted in it. */
  totals(period: string): PeriodTotals {
    return (
      this.sql
        .exec<{ requests: number; tokens: number; nano_usd: number }>(
          'SELECT requests, tokens, nano_usd FROM periods WHERE period = ?',
          period,
        )
        .toArray()[0] ?? EMPTY
    );
  }

  /** Adds to a period's totals (negative amounts release what a reservation held). */
  add(period: string, requests: number, tokens: number, nanoUsd: number): void {
    this.sql.exec(
      'INSERT INTO periods (period, requests, tokens, nano_usd) VALUES (?, ?, ?, ?) ON CONFLICT (period) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens, nano_usd = nano_usd + excluded.nano_usd',
      period,
      requests,
      tokens,
      nanoUsd,
    );
  }

  /** Adds the same amounts to a day and its month. */
  addToBoth(day: string, month: string, requests: number, tokens: number, nanoUsd: number): void {
    this.add(day, requests, tokens, nanoUsd);
    this.add(month, requests, tokens, nanoUsd);
  }

  /** Restarts from zero the totals no counter can hold (an older build could store them). */
  repair(): void {
    this.sql.exec(
      'UPDATE periods SET tokens = CASE WHEN abs(tokens) <= ? THEN tokens ELSE 0 END, nano_usd = CASE WHEN abs(nano_usd) <= ? THEN nano_usd ELSE 0 END',
      MAX_AMOUNT,
      MAX_AMOUNT,
    );
  }
}
