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

export type ReserveResult =
  | {
      readonly ok: true;
      readonly reservationId: string;
      /** What is held until the settle. */
      readonly reserved: { readonly tokens: number; readonly usd: number };
      /** Output tokens per choice the call may use, when a token or dollar limit bounds it (send it upstream). */
      readonly outputTokens: number | null;
      readonly headers: Record<string, string>;
    }
  | {
      readonly ok: false;
      readonly limit: 'requests_per_minute';
      readonly retryAfterSeconds: number;
      readonly headers: Record<string, string>;
    }
  | {
      readonly ok: false;
      readonly limit: BudgetLimitName;
      /** When the period resets (seconds): waiting is rarely the remedy, so no Retry-After is sent for it. */
      readonly resetSeconds: number;
      readonly shortfall: BudgetShortfall;
      readonly headers: Record<string, string>;
    }
  | { readonly ok: false; readonly limit: 'revoked' | 'expired' | 'unknown_key'; readonly headers: Record<string, string> }
  /** An amount no counter can hold (not finite, negative, or beyond exact integers): refused, never stored. */
  | { readonly ok: false; readonly limit: 'unrepresentable'; readonly headers: Record<string, string> };

export type BudgetLimitName = Exclude<LimitName, 'requests_per_minute'>;

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
/** The largest amount a counter holds exactly: beyond it sums would round, so it is refused, never stored. */
const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;
/** A whole count, or null when it is not a finite, non-negative, exactly representable number. */
const toCount = (value: number): number | null => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const count = Math.ceil(value);
  return count <= MAX_AMOUNT ? count : null;
};
const toNanoAmount = (usd: number): number | null =>
  typeof usd === 'number' && Number.isFinite(usd) && usd >= 0 ? toCount(toNano(usd, Math.ceil)) : null;
/** The output bound in whole units, or null when any part of it cannot be represented. */
const outputOf = (output: OutputBound): { tokens: number; min: number; choices: number; nanoPerToken: number } | null => {
  const tokens = toCount(output.tokens);
  const min = toCount(output.min);
  const choices = toCount(output.choices);
  const nanoPerToken =
    typeof output.usdPerToken === 'number' && Number.isFinite(output.usdPerToken) && output.usdPerToken >= 0
      ? output.usdPerToken * NANO
      : null;
  if (tokens === null || min === null || choices === null || choices === 0 || nanoPerToken === null) return null;
  if (tokens * choices * Math.max(1, nanoPerToken) > MAX_AMOUNT) return null;
  return { tokens, min, choices, nanoPerToken };
};
/** How many output tokens `room` pays for at `perToken` each (Infinity when they are free; -1 when the room is gone). */
function affordable(room: number, perToken: number): number {
  if (room < 0) return -1;
  if (perToken === 0) return Number.POSITIVE_INFINITY;
  let fits = Math.floor(room / perToken);
  // Reservations round a fraction of a nano-dollar up: step back until the rounded cost fits too.
  while (fits > 0 && Math.ceil(fits * perToken) > room) fits--;
  return fits;
}

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
    this.repair();
    return next;
  }

  /** Revokes the key: every later request asking this object is refused. */
  revoke(): KeyRecord | null {
    return this.update({ revoked: true });
  }

  /**
   * Admits a request if every limit leaves room for its prompt and at least its minimal output, narrowing the
   * output to what the limits still pay for, and holds that much until it settles.
   */
  reserve(input: ReserveInput): ReserveResult {
    const { now } = input;
    const fixed = { tokens: toCount(input.tokens), nano: toNanoAmount(input.usd) };
    const output = input.output && outputOf(input.output);
    if (fixed.tokens === null || fixed.nano === null || output === null) return { ok: false, limit: 'unrepresentable', headers: {} };
    const refused = this.refusedBeforeBudget(now, input.fallback);
    if (refused) return refused;
    const record = (this.getRecord() ?? input.fallback) as KeyRecord;
    this.expireReservations(now);
    const day = this.period(dayOf(now));
    const month = this.period(monthOf(now));
    const hits = this.hitsInWindow(now);

    // Each budget bounds the output per choice: what is left after the fixed part, divided by what a token costs.
    const asked = output?.tokens ?? 0;
    const choices = output?.choices ?? 1;
    const budgets: { limit: BudgetLimitName; left: number; fixed: number; perToken: number; resetAt: number; unit: number }[] = [];
    if (record.tokens_per_day !== null)
      budgets.push({
        limit: 'tokens_per_day',
        left: record.tokens_per_day - day.tokens,
        fixed: fixed.tokens,
        perToken: choices,
        resetAt: nextUtcMidnight(now),
        unit: 1,
      });
    if (record.usd_per_day !== null)
      budgets.push({
        limit: 'usd_per_day',
        left: toNano(record.usd_per_day, Math.round) - day.nano_usd,
        fixed: fixed.nano,
        perToken: choices * (output?.nanoPerToken ?? 0),
        resetAt: nextUtcMidnight(now),
        unit: NANO,
      });
    if (record.usd_per_month !== null)
      budgets.push({
        limit: 'usd_per_month',
        left: toNano(record.usd_per_month, Math.round) - month.nano_usd,
        fixed: fixed.nano,
        perToken: choices * (output?.nanoPerToken ?? 0),
        resetAt: nextUtcMonth(now),
        unit: NANO,
      });
    let granted = asked;
    let tightest: (typeof budgets)[number] | undefined;
    for (const budget of budgets) {
      const fits = affordable(budget.left - budget.fixed, budget.perToken);
      if (fits < granted) {
        granted = fits;
        tightest = budget;
      }
    }
    if (tightest && granted < Math.min(output?.min ?? 0, asked)) {
      return {
        ok: false,
        limit: tightest.limit,
        resetSeconds: Math.max(1, Math.ceil((tightest.resetAt - now) / 1000)),
        shortfall: {
          left: Math.max(0, tightest.left) / tightest.unit,
          wanted: (tightest.fixed + Math.ceil(asked * tightest.perToken)) / tightest.unit,
          fits: Math.max(0, granted),
          min: output?.min ?? 0,
        },
        headers: this.headers(record, now, hits.count, day.tokens),
      };
    }

    const tokens = fixed.tokens + granted * choices;
    const nanoUsd = fixed.nano + Math.ceil(granted * choices * (output?.nanoPerToken ?? 0));
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
    return {
      ok: true,
      reservationId,
      reserved: { tokens, usd: fromNano(nanoUsd) },
      // Only a token or dollar budget needs the output bounded upstream: unbounded, it could spend past the reservation.
      outputTokens: output && budgets.length > 0 ? granted : null,
      // This request's hit and tokens are counted now: the figures read above, plus them (no second read).
      headers: this.headers(record, now, hits.count + 1, day.tokens + tokens),
    };
  }

  /** Why this key may not call now (unusable, or its requests per minute are used up), counting nothing; null when it may. */
  check(now: number, fallback?: KeyRecord): Extract<ReserveResult, { ok: false }> | null {
    return this.refusedBeforeBudget(now, fallback);
  }

  /** Admits a request that spends no tokens (a token count): its key must be usable, and it counts in the minute. */
  admit(now: number, fallback?: KeyRecord): Extract<ReserveResult, { ok: false }> | { ok: true; headers: Record<string, string> } {
    const refused = this.refusedBeforeBudget(now, fallback);
    if (refused) return refused;
    this.sql.exec('INSERT INTO hits (at) VALUES (?)', now);
    const record = (this.getRecord() ?? fallback) as KeyRecord;
    return { ok: true, headers: this.headers(record, now, this.hitsInWindow(now).count, this.period(dayOf(now)).tokens) };
  }

  /** Why a managed key is no longer usable at `now` ('revoked' or 'expired'), or null (also for a static key). */
  unusable(now: number): 'revoked' | 'expired' | null {
    const record = this.getRecord();
    return record ? unusableReason(record, now) : null;
  }

  private refusedBeforeBudget(now: number, fallback?: KeyRecord): Extract<ReserveResult, { ok: false }> | null {
    const record = this.getRecord() ?? fallback ?? null;
    if (!record) return { ok: false, limit: 'unknown_key', headers: {} };
    const reason = unusableReason(record, now);
    if (reason) return { ok: false, limit: reason, headers: {} };
    if (record.requests_per_minute === null) return null;
    this.sql.exec('DELETE FROM hits WHERE at <= ?', now - MINUTE_MS);
    const hits = this.hitsInWindow(now);
    if (hits.count < record.requests_per_minute) return null;
    const retryAfterSeconds = Math.max(1, Math.ceil((this.windowFreesAt(now, hits.count - record.requests_per_minute + 1) - now) / 1000));
    return {
      ok: false,
      limit: 'requests_per_minute',
      retryAfterSeconds,
      headers: { 'retry-after': String(retryAfterSeconds), ...this.headers(record, now, hits.count, this.period(dayOf(now)).tokens) },
    };
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
    // A figure no counter can hold charges what was held, as for a call whose usage is unknown.
    const tokens = toCount(actual.tokens) ?? row.tokens;
    const nanoUsd = toNanoAmount(actual.usd) ?? row.nano_usd;
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

  /**
   * Drops amounts no counter can hold, which an older build could store (a reservation of Infinity dollars made
   * every later settle fail): such reservations are released, and such period totals restart from zero.
   */
  private repair(): void {
    this.sql.exec('DELETE FROM reservations WHERE NOT (abs(tokens) <= ? AND abs(nano_usd) <= ?)', MAX_AMOUNT, MAX_AMOUNT);
    this.sql.exec(
      'UPDATE periods SET tokens = CASE WHEN abs(tokens) <= ? THEN tokens ELSE 0 END, nano_usd = CASE WHEN abs(nano_usd) <= ? THEN nano_usd ELSE 0 END',
      MAX_AMOUNT,
      MAX_AMOUNT,
    );
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
