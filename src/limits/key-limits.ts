import { DurableObject } from 'cloudflare:workers';
import { NO_RATE_LIMITS, type RateLimits } from '../core/limit-state.ts';
import { fromNano, outputOf, toCount, toNanoAmount } from './amounts.ts';
import { fitBudgets } from './budget-fit.ts';
import type { Granted, Refusal, ReserveInput, ReserveResult, SettleResult } from './key-limits-rpc.ts';
import { type KeyRecord, unusableReason } from './key-record.ts';
import { KeyStore } from './key-store.ts';
import { type KeyUsage, keyUsage } from './key-usage.ts';
import { dayOf, Ledger, monthOf, nextUtcMidnight } from './ledger.ts';
import { RateWindow } from './rate-window.ts';
import { Reservations } from './reservations.ts';

// One object per gateway key (`idFromName(keyHash)`): the key's record, its revocation and its counters, each kept
// by a small module over the object's SQLite storage. Exactness: the object runs one event at a time and every
// method reads and writes that storage synchronously, with no await in between, so no two reservations can both
// see the same remaining budget. Time: every method takes `now` from its caller (tests use a fake clock); only the
// object's own alarm, which the runtime fires on the real clock, reads the real clock.

/** How long a reservation waits for its settle unless the caller says otherwise. */
const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000;

/** The real clock: the alarm's only. */
const realNow = () => Date.now();

export class KeyLimits extends DurableObject {
  private readonly store: KeyStore;
  private readonly window: RateWindow;
  private readonly ledger: Ledger;
  private readonly reservations: Reservations;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    this.store = new KeyStore(sql);
    this.window = new RateWindow(sql);
    this.ledger = new Ledger(sql);
    this.reservations = new Reservations(sql, this.ledger);
  }

  /** The key's record, or null when this object holds none (a static key, or no key at all). */
  getRecord(): KeyRecord | null {
    return this.store.get();
  }

  /** Stores the record of a new managed key; false if this object already has one. */
  create(record: KeyRecord): boolean {
    if (this.store.get()) return false;
    this.store.put(record);
    return true;
  }

  /** Replaces fields of the record (the admin API validated them); null if there is no record. */
  update(patch: Partial<Omit<KeyRecord, 'id' | 'object' | 'kind' | 'created_at'>>): KeyRecord | null {
    const current = this.store.get();
    if (!current) return null;
    const next = { ...current, ...patch };
    this.store.put(next);
    // Drops amounts no counter can hold, which an older build could store (a reservation of Infinity dollars made
    // every later settle fail): such reservations are released, and such period totals restart from zero.
    this.reservations.repair();
    this.ledger.repair();
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
    const tokens = toCount(input.tokens);
    const nano = toNanoAmount(input.usd);
    const output = input.output && outputOf(input.output);
    if (tokens === null || nano === null || output === null) return { ok: false, limit: 'unrepresentable', limits: NO_RATE_LIMITS };
    const refused = this.refusedBeforeBudget(now, input.fallback);
    if (refused) return refused;
    const record = (this.store.get() ?? input.fallback) as KeyRecord;
    this.reservations.expire(now);
    const day = this.ledger.totals(dayOf(now));
    const month = this.ledger.totals(monthOf(now));
    const hits = this.window.count(now);
    const fit = fitBudgets(record, { tokens, nano, output }, day, month, now);
    if (!fit.ok) return { ...fit, limits: this.rateLimits(record, now, hits, day.tokens) };

    const choices = output?.choices ?? 1;
    const held = {
      day: dayOf(now),
      month: monthOf(now),
      tokens: tokens + fit.granted * choices,
      nano_usd: nano + Math.ceil(fit.granted * choices * (output?.nanoPerToken ?? 0)),
    };
    const reservationId = crypto.randomUUID();
    const ttlMs = input.ttlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.window.hit(now);
    this.reservations.hold(reservationId, input.requestId, held, now + ttlMs);
    this.scheduleExpiry(ttlMs);
    const granted: Granted = {
      ok: true,
      reservationId,
      reserved: { tokens: held.tokens, usd: fromNano(held.nano_usd) },
      // Only a token or dollar budget needs the output bounded upstream: unbounded, it could spend past the reservation.
      outputTokens: output && fit.bounded ? fit.granted : null,
      // This request's hit and tokens are counted now: the figures read above, plus them (no second read).
      limits: this.rateLimits(record, now, hits + 1, day.tokens + held.tokens),
    };
    return granted;
  }

  /** Why this key may not call now (unusable, or its requests per minute are used up), counting nothing; null when it may. */
  check(now: number, fallback?: KeyRecord): Refusal | null {
    return this.refusedBeforeBudget(now, fallback);
  }

  /** Admits a request that spends no tokens (a token count): its key must be usable, and it counts in the minute. */
  admit(now: number, fallback?: KeyRecord): Refusal | { ok: true; limits: RateLimits } {
    const refused = this.refusedBeforeBudget(now, fallback);
    if (refused) return refused;
    this.window.hit(now);
    const record = (this.store.get() ?? fallback) as KeyRecord;
    return { ok: true, limits: this.rateLimits(record, now, this.window.count(now), this.ledger.totals(dayOf(now)).tokens) };
  }

  /** Why a managed key is no longer usable at `now` ('revoked' or 'expired'), or null (also for a static key). */
  unusable(now: number): 'revoked' | 'expired' | null {
    const record = this.store.get();
    return record ? unusableReason(record, now) : null;
  }

  /** Replaces a reservation by the real usage (zero for a cache hit); a late settle of an expired one still charges it, once. */
  settle(reservationId: string, actual: { tokens: number; usd: number }): SettleResult {
    // A figure no counter can hold charges what was held, as for a call whose usage is unknown.
    const status = this.reservations.settle(reservationId, { tokens: toCount(actual.tokens), nanoUsd: toNanoAmount(actual.usd) });
    return { status: status ?? 'unknown' };
  }

  /** What the key has used today, this month and this minute, its limits and what remains. */
  usage(now: number, fallback?: KeyRecord): KeyUsage {
    const record = this.store.get() ?? fallback ?? null;
    this.reservations.expire(now);
    return keyUsage({
      record,
      now,
      minute: this.window.count(now),
      day: this.ledger.totals(dayOf(now)),
      month: this.ledger.totals(monthOf(now)),
      pending: this.reservations.pending(),
    });
  }

  /** Releases the reservations whose settle never came (the isolate that made them died). */
  override async alarm(): Promise<void> {
    this.reservations.expire(realNow());
    const next = this.reservations.nextExpiry();
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, realNow() + 1000));
  }

  private refusedBeforeBudget(now: number, fallback?: KeyRecord): Refusal | null {
    const record = this.store.get() ?? fallback ?? null;
    if (!record) return { ok: false, limit: 'unknown_key', limits: NO_RATE_LIMITS };
    const reason = unusableReason(record, now);
    if (reason) return { ok: false, limit: reason, limits: NO_RATE_LIMITS };
    if (record.requests_per_minute === null) return null;
    this.window.prune(now);
    const hits = this.window.count(now);
    if (hits < record.requests_per_minute) return null;
    const freesAt = this.window.freesAt(now, hits - record.requests_per_minute + 1);
    return {
      ok: false,
      limit: 'requests_per_minute',
      retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)),
      limits: this.rateLimits(record, now, hits, this.ledger.totals(dayOf(now)).tokens),
    };
  }

  /** Wakes the object when the earliest reservation may lapse (the alarm runs on the real clock). */
  private scheduleExpiry(ttlMs: number): void {
    const at = realNow() + ttlMs;
    void this.ctx.storage.getAlarm().then((current) => (current === null || current > at ? this.ctx.storage.setAlarm(at) : undefined));
  }

  /** The rate limits after this request, from its counts: requests in the sliding minute, tokens of the UTC day. */
  private rateLimits(record: KeyRecord, now: number, count: number, dayTokens: number): RateLimits {
    return {
      requests:
        record.requests_per_minute === null
          ? null
          : {
              limit: record.requests_per_minute,
              remaining: record.requests_per_minute - count,
              resetMs: count === 0 ? 0 : this.window.freesAt(now, 1) - now,
            },
      tokens:
        record.tokens_per_day === null
          ? null
          : { limit: record.tokens_per_day, remaining: record.tokens_per_day - dayTokens, resetMs: nextUtcMidnight(now) - now },
    };
  }
}
