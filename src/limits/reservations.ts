// Reservations: what a call in flight holds in the ledger until its settle, in the key object's SQLite storage.
import { MAX_AMOUNT } from './amounts.ts';
import type { Ledger } from './ledger.ts';

/** Expired reservations are kept this long so a late settle still charges the real usage (once). */
const EXPIRED_KEEP_MS = 24 * 3600_000;

/** A reservation's holding: the periods it was counted in and what it holds there. */
export type Held = {
  readonly day: string;
  readonly month: string;
  readonly tokens: number;
  readonly nano_usd: number;
};

/** The reservations of one key; each holds its amounts in the ledger until it is settled or lapses. */
export class Reservations {
  private readonly sql: SqlStorage;
  private readonly ledger: Ledger;

  constructor(sql: SqlStorage, ledger: Ledger) {
    this.sql = sql;
    this.ledger = ledger;
    sql.exec(`
      CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY, request_id TEXT NOT NULL, day TEXT NOT NULL, month TEXT NOT NULL,
        tokens INTEGER NOT NULL, nano_usd INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        -- set when the reservation lapsed and released what it held; the row stays a while for a late settle
        expired_at INTEGER
      );`);
  }

  /** Records a new reservation (one request) and adds what it holds to its day and month. */
  hold(id: string, requestId: string, held: Held, expiresAt: number): void {
    this.sql.exec(
      'INSERT INTO reservations (id, request_id, day, month, tokens, nano_usd, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      id,
      requestId,
      held.day,
      held.month,
      held.tokens,
      held.nano_usd,
      expiresAt,
    );
    this.ledger.addToBoth(held.day, held.month, 1, held.tokens, held.nano_usd);
  }

  /**
   * Replaces a reservation by the real usage (null: keep what it held): an expired one was already released, so it
   * is charged the whole usage; otherwise only the difference. Null when there is no such reservation.
   */
  settle(id: string, actual: { tokens: number | null; nanoUsd: number | null }): 'settled' | 'late' | null {
    const row = this.sql
      .exec<Held & { expired_at: number | null }>('SELECT day, month, tokens, nano_usd, expired_at FROM reservations WHERE id = ?', id)
      .toArray()[0];
    if (!row) return null;
    const tokens = actual.tokens ?? row.tokens;
    const nanoUsd = actual.nanoUsd ?? row.nano_usd;
    const held = row.expired_at !== null ? { tokens: 0, nano_usd: 0 } : row;
    this.ledger.addToBoth(row.day, row.month, 0, tokens - held.tokens, nanoUsd - held.nano_usd);
    this.sql.exec('DELETE FROM reservations WHERE id = ?', id);
    return row.expired_at !== null ? 'late' : 'settled';
  }

  /** Releases what lapsed reservations held; their rows stay a day, marked, so a late settle charges once. */
  expire(now: number): void {
    for (const r of this.sql
      .exec<Held>('SELECT day, month, tokens, nano_usd FROM reservations WHERE expired_at IS NULL AND expires_at <= ?', now)
      .toArray())
      this.ledger.addToBoth(r.day, r.month, 0, -r.tokens, -r.nano_usd);
    this.sql.exec('UPDATE reservations SET expired_at = ? WHERE expired_at IS NULL AND expires_at <= ?', now, now);
    this.sql.exec('DELETE FROM reservations WHERE expired_at <= ?', now - EXPIRED_KEEP_MS);
  }

  /** The reservations still holding, and what they hold together. */
  pending(): { n: number; tokens: number; nano_usd: number } {
    return this.sql
      .exec<{ n: number; tokens: number; nano_usd: number }>(
        'SELECT COUNT(*) AS n, COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(nano_usd), 0) AS nano_usd FROM reservations WHERE expired_at IS NULL',
      )
      .one();
  }

  /** When the earliest reservation still holding lapses, or null when none holds. */
  nextExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM reservations WHERE expired_at IS NULL').one().at;
  }

  /** Releases reservations of amounts no counter can hold (an older build could store them). */
  repair(): void {
    this.sql.exec('DELETE FROM reservations WHERE NOT (abs(tokens) <= ? AND abs(nano_usd) <= ?)', MAX_AMOUNT, MAX_AMOUNT);
  }
}
