import { DurableObject } from 'cloudflare:workers';
import { type KeyLimitValues, type KeyRecord, unusableReason } from './key-record.ts';
import { type LimitState, rateLimitHeaders } from './limit-headers.ts';

// One object per gateway key (`idFromName(keyHash)`): the key's record, its revocation and its counters.
// Exactness: the object runs one event at a time and every method below reads and writes its SQLite storage
// synchronously, with no await in between, so no two reservations can both see the same remaining budget.

const MINUTE_MS = 60_000;
/** Dollars are counted in whole nano-dollars, so sums and comparisons are exact. */
const NANO = 1e9;
/** Expired reservations are kept this long so a late settle still charges the real usage (once). */
const EXPIRED_KEEP_MS = 24 * 3600_000;
/** How long a reservation waits for its settle unless the caller says otherwise. */
const DEFAULT_RESERVATION_TTL_MS = 15 * MINUTE_MS;

export type LimitName = 'requests_per_minute' | 'tokens_per_day' | 'usd_per_day' | 'usd_per_month';

/** A request for budget, priced at its worst case. `now` is ms since the epoch (injected so tests use a fake clock). */
export interface ReserveInput {
  readonly requestId: string;
  readonly tokens: number;
  readonly usd: number;
  readonly now: number;
  /** When the reservation lapses if no settle comes. */
  readonly ttlMs?: number;
  /** The record to use when this object holds none: a static key, limited by vars. */
  readonly fallback?: KeyRecord;
}

export type ReserveResult =
  | { readonly ok: true; readonly reservationId: string; readonly headers: Record<string, string> }
  | { readonly ok: false; readonly limit: LimitName; readonly retryAfterSeconds: number; readonly headers: Record<string, string> }
  | {
      readonly ok: false;
      readonly limit: 'revoked' | 'expired' | 'unknown_key';
      readonly retryAfterSeconds: null;
      readonly headers: Record<string, string>;
    };

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

export interface SettleResult {
  /** `settled`: charged the real usage; `late`: the reservation had expired and is now charged; `unknown`: nothing to settle (already settled). */
  readonly status: 'settled' | 'late' | 'unknown';
}

const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);
const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);
const nextUtcMidnight = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
};
const nextUtcMonth = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};
// toFixed first: float noise (0.001 * 1e9 = 1000000.0000000001) must not round a reservation up by a nano-dollar.
const toNano = (usd: number, round: (n: number) => number) => round(Number((usd * NANO).toFixed(3)));
const fromNano = (nano: number) => nano / NANO;

export class KeyLimits extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS record (one INTEGER PRIMARY KEY CHECK (one = 1), json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS hits (at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS hits_at ON hits (at);
      CREATE TABLE IF NOT EXISTS periods (period TEXT PRIMARY KEY, requests INTEGER NOT NULL, tokens INTEGER NOT NULL, nano_usd INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY, request_id TEXT NOT NULL, day TEXT NOT NULL, month TEXT NOT NULL,
        tokens INTEGER NOT NULL, nano_usd INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        -- set when the reservation lapsed and released what it held; the row stays a while for a late settle
        expired_at INTEGER
      );`);
  }

  /** The key's record, or null when this object holds none (a static key, or no key at all). */
  getRecord(): KeyRecord | null {
    const row = this.sql.exec<{ json: string }>('SELECT json FROM record').toArray()[0];
    return row ? (JSON.parse(row.json) as KeyRecord) : null;
  }

  /** Stores the record of a new managed key; false if this object already has one. */
  create(record: KeyRecord): boolean {
    if (this.getRecord()) return false;
    this.writeRecord(record);
    return true;
  }

  /** Replaces fields of the record (the admin API validated them); null if there is no record. */
  update(patch: Partial<Omit<KeyRecord, 'id' | 'object' | 'kind' | 'created_at'>>): KeyRecord | null {
    const current = this.getRecord();
    if (!current) return null;
    const next = { ...current, ...patch };
    this.writeRecord(next);
    return next;
  }

  /** Revokes the key: every later request asking this object is refused. */
  revoke(): KeyRecord | null {
    return this.update({ revoked: true });
  }

  /** Admits a request if every limit leaves room for its worst case, and holds that much until it settles. */
  reserve(input: ReserveInput): ReserveResult {
    const { now } = input;
    const record = this.getRecord() ?? input.fallback ?? null;
    if (!record) return { ok: false, limit: 'unknown_key', retryAfterSeconds: null, headers: {} };
    const reason = unusableReason(record, now);
    if (reason) return { ok: false, limit: reason, retryAfterSeconds: null, headers: {} };
    this.expireReservations(now);
    this.sql.exec('DELETE FROM hits WHERE at <= ?', now - MINUTE_MS);

    const tokens = Math.max(0, Math.ceil(input.tokens));
    const nanoUsd = Math.max(0, toNano(input.usd, Math.ceil));
    const day = this.period(dayOf(now));
    const month = this.period(monthOf(now));
    const hits = this.hitsInWindow(now);

    // Every failing limit, with when it could pass again; the caller waits for the latest of them.
    const refusals: { limit: LimitName; retryAtMs: number }[] = [];
    if (record.requests_per_minute !== null && hits.count >= record.requests_per_minute)
      refusals.push({ limit: 'requests_per_minute', retryAtMs: this.windowFreesAt(now, hits.count - record.requests_per_minute + 1) });
    if (record.tokens_per_day !== null && day.tokens + tokens > record.tokens_per_day)
      refusals.push({ limit: 'tokens_per_day', retryAtMs: nextUtcMidnight(now) });
    if (record.usd_per_day !== null && day.nano_usd + nanoUsd > toNano(record.usd_per_day, Math.round))
      refusals.push({ limit: 'usd_per_day', retryAtMs: nextUtcMidnight(now) });
    if (record.usd_per_month !== null && month.nano_usd + nanoUsd > toNano(record.usd_per_month, Math.round))
      refusals.push({ limit: 'usd_per_month', retryAtMs: nextUtcMonth(now) });
    if (refusals.length > 0) {
      const worst = refusals.reduce((a, b) => (b.retryAtMs > a.retryAtMs ? b : a));
      const retryAfterSeconds = Math.max(1, Math.ceil((worst.retryAtMs - now) / 1000));
      return {
        ok: false,
        limit: worst.limit,
        retryAfterSeconds,
        headers: { 'retry-after': String(retryAfterSeconds), ...this.headers(record, now, hits.count, day.tokens) },
      };
    }

    const reservationId = crypto.randomUUID();
    const ttlMs = input.ttlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.sql.exec('INSERT INTO hits (at) VALUES (?)', now);
    this.sql.exec(
      'INSERT INTO reservations (id, request_id, day, month, tokens, nano_usd, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      reservationId,
      input.requestId,
      dayOf(now),
      monthOf(now),
      tokens,
      nanoUsd,
      now + ttlMs,
    );
    this.add(dayOf(now), 1, tokens, nanoUsd);
    this.add(monthOf(now), 1, tokens, nanoUsd);
    this.scheduleExpiry(ttlMs);
    // This request's hit and tokens are counted now: the figures read above, plus them (no second read).
    return { ok: true, reservationId, headers: this.headers(record, now, hits.count + 1, day.tokens + tokens) };
  }

  /** Replaces a reservation by the real usage (zero for a cache hit); a late settle of an expired one still charges it, once. */
  settle(reservationId: string, actual: { tokens: number; usd: number }): SettleResult {
    const row = this.sql
      .exec<{ day: string; month: string; tokens: number; nano_usd: number; expired_at: number | null }>(
        'SELECT day, month, tokens, nano_usd, expired_at FROM reservations WHERE id = ?',
        reservationId,
      )
      .toArray()[0];
    if (!row) return { status: 'unknown' };
    const tokens = Math.max(0, Math.round(actual.tokens));
    const nanoUsd = Math.max(0, toNano(actual.usd, Math.round));
    // An expired reservation was already released: charge the whole real usage; otherwise only the difference.
    const held = row.expired_at !== null ? { tokens: 0, nano_usd: 0 } : row;
    this.add(row.day, 0, tokens - held.tokens, nanoUsd - held.nano_usd);
    this.add(row.month, 0, tokens - held.tokens, nanoUsd - held.nano_usd);
    this.sql.exec('DELETE FROM reservations WHERE id = ?', reservationId);
    return { status: row.expired_at !== null ? 'late' : 'settled' };
  }

  /** What the key has used today, this month and this minute, its limits and what remains. */
  usage(now: number, fallback?: KeyRecord): KeyUsage {
    const record = this.getRecord() ?? fallback ?? null;
    this.expireReservations(now);
    const day = this.period(dayOf(now));
    const month = this.period(monthOf(now));
    const minute = this.hitsInWindow(now).count;
    const pending = this.sql
      .exec<{ n: number; tokens: number; nano_usd: number }>(
        'SELECT COUNT(*) AS n, COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(nano_usd), 0) AS nano_usd FROM reservations WHERE expired_at IS NULL',
      )
      .one();
    const limits: KeyLimitValues = {
      requests_per_minute: record?.requests_per_minute ?? null,
      tokens_per_day: record?.tokens_per_day ?? null,
      usd_per_day: record?.usd_per_day ?? null,
      usd_per_month: record?.usd_per_month ?? null,
    };
    const left = (limit: number | null, used: number) => (limit === null ? null : Math.max(0, limit - used));
    const leftUsd = (limit: number | null, usedNano: number) =>
      limit === null ? null : fromNano(Math.max(0, toNano(limit, Math.round) - usedNano));
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

  /** Releases the reservations whose settle never came (the isolate that made them died). */
  override async alarm(): Promise<void> {
    this.expireReservations(Date.now());
    const next = this.sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM reservations WHERE expired_at IS NULL').one().at;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 1000));
  }

  private writeRecord(record: KeyRecord): void {
    this.sql.exec(
      'INSERT INTO record (one, json) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET json = excluded.json',
      JSON.stringify(record),
    );
  }

  private period(period: string): { requests: number; tokens: number; nano_usd: number } {
    return (
      this.sql
        .exec<{ requests: number; tokens: number; nano_usd: number }>(
          'SELECT requests, tokens, nano_usd FROM periods WHERE period = ?',
          period,
        )
        .toArray()[0] ?? { requests: 0, tokens: 0, nano_usd: 0 }
    );
  }

  private add(period: string, requests: number, tokens: number, nanoUsd: number): void {
    this.sql.exec(
      'INSERT INTO periods (period, requests, tokens, nano_usd) VALUES (?, ?, ?, ?) ON CONFLICT (period) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens, nano_usd = nano_usd + excluded.nano_usd',
      period,
      requests,
      tokens,
      nanoUsd,
    );
  }

  private hitsInWindow(now: number): { count: number } {
    return { count: this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hits WHERE at > ? AND at <= ?', now - MINUTE_MS, now).one().n };
  }

  /** When the window will have dropped `needed` more requests: the sliding window admits again then. */
  private windowFreesAt(now: number, needed: number): number {
    const row = this.sql
      .exec<{ at: number }>('SELECT at FROM hits WHERE at > ? ORDER BY at LIMIT 1 OFFSET ?', now - MINUTE_MS, Math.max(0, needed - 1))
      .toArray()[0];
    return (row?.at ?? now) + MINUTE_MS;
  }

  /** Releases what lapsed reservations held; their rows stay a day, marked, so a late settle charges once. */
  private expireReservations(now: number): void {
    for (const r of this.sql
      .exec<{ day: string; month: string; tokens: number; nano_usd: number }>(
        'SELECT day, month, tokens, nano_usd FROM reservations WHERE expired_at IS NULL AND expires_at <= ?',
        now,
      )
      .toArray()) {
      this.add(r.day, 0, -r.tokens, -r.nano_usd);
      this.add(r.month, 0, -r.tokens, -r.nano_usd);
    }
    this.sql.exec('UPDATE reservations SET expired_at = ? WHERE expired_at IS NULL AND expires_at <= ?', now, now);
    this.sql.exec('DELETE FROM reservations WHERE expired_at <= ?', now - EXPIRED_KEEP_MS);
  }

  /** Wakes the object when the earliest reservation may lapse (the alarm runs on the real clock). */
  private scheduleExpiry(ttlMs: number): void {
    const at = Date.now() + ttlMs;
    void this.ctx.storage.getAlarm().then((current) => (current === null || current > at ? this.ctx.storage.setAlarm(at) : undefined));
  }

  /** The header trios after this request, from its counts: requests in the sliding minute, tokens of the UTC day. */
  private headers(record: KeyRecord, now: number, count: number, dayTokens: number): Record<string, string> {
    let requests: LimitState | null = null;
    if (record.requests_per_minute !== null) {
      requests = {
        limit: record.requests_per_minute,
        remaining: record.requests_per_minute - count,
        resetMs: count === 0 ? 0 : this.windowFreesAt(now, 1) - now,
      };
    }
    const tokens =
      record.tokens_per_day === null
        ? null
        : {
            limit: record.tokens_per_day,
            remaining: record.tokens_per_day - dayTokens,
            resetMs: nextUtcMidnight(now) - now,
          };
    return rateLimitHeaders(requests, tokens);
  }
}
