import { DurableObject } from 'cloudflare:workers';

// One object per gateway key (`idFromName(keyHash)` on the RESPONSES namespace): the responses that key stored,
// with what it takes to continue from each. No other key's requests ever reach this object, so a key can never
// read, delete or continue another key's responses. Each method reads and writes SQLite synchronously.

/** A stored response as the route hands it over: JSON texts, so the object never parses what it keeps. */
export interface StoredEntry {
  readonly id: string;
  /** The `response` object as answered. */
  readonly response: string;
  /** The whole conversation as chat messages (earlier turns, this input, this answer): what `previous_response_id` continues. */
  readonly messages: string;
  /** This request's input items, for `GET /v1/responses/{id}/input_items`. */
  readonly input: string;
  /**
   * The whole conversation as Responses items (earlier turns' input and output items, this input, this output): what a
   * continuation passed through to OpenAI sends as its input. Null in entries kept before it was.
   */
  readonly items: string | null;
}

/** How long entries live and how many a key keeps; `now` is ms since the epoch (injected, so tests use a fake clock). */
export interface StorePolicy {
  readonly now: number;
  readonly retentionMs: number;
  readonly maxRows: number;
}

export class StoredResponses extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS responses (
        id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        response TEXT NOT NULL, messages TEXT NOT NULL, input TEXT NOT NULL, items TEXT
      );
      CREATE INDEX IF NOT EXISTS responses_expires_at ON responses (expires_at);`);
    // A table made before `items` was kept gets the column (its rows have none: they continue translated).
    const columns = this.sql.exec<{ name: string }>('PRAGMA table_info(responses)').toArray();
    if (!columns.some((c) => c.name === 'items')) this.sql.exec('ALTER TABLE responses ADD COLUMN items TEXT');
  }

  /** Keeps a response until `now + retentionMs`; past `maxRows` the oldest of this key's responses are dropped. */
  async put(entry: StoredEntry, policy: StorePolicy): Promise<void> {
    this.expire(policy.now);
    const expiresAt = policy.now + policy.retentionMs;
    this.sql.exec(
      'INSERT OR REPLACE INTO responses (id, created_at, expires_at, response, messages, input, items) VALUES (?, ?, ?, ?, ?, ?, ?)',
      entry.id,
      policy.now,
      expiresAt,
      entry.response,
      entry.messages,
      entry.input,
      entry.items,
    );
    // rowid grows with every insert: the newest rows have the highest.
    this.sql.exec('DELETE FROM responses WHERE rowid NOT IN (SELECT rowid FROM responses ORDER BY rowid DESC LIMIT ?)', policy.maxRows);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > expiresAt) await this.ctx.storage.setAlarm(expiresAt);
  }

  /** The entry with this id, unless it has expired by `now`. */
  get(id: string, now: number): StoredEntry | null {
    return this.getMany([id], now)[0] ?? null;
  }

  /** The entries with these ids that have not expired by `now` (one call for the responses a request's item references name). */
  getMany(ids: readonly string[], now: number): StoredEntry[] {
    this.expire(now);
    if (ids.length === 0) return [];
    return this.sql
      .exec<{ id: string; response: string; messages: string; input: string; items: string | null }>(
        `SELECT id, response, messages, input, items FROM responses WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ...ids,
      )
      .toArray();
  }

  /**
   * The newest unexpired entry whose response holds an output item with each of these ids (OpenAI's own ids, in a
   * response passed through, say nothing of where they are kept): a scan of this key's responses, at most
   * RESPONSES_MAX_PER_KEY, made only for such ids.
   */
  getHolding(itemIds: readonly string[], now: number): StoredEntry[] {
    this.expire(now);
    return itemIds.flatMap((itemId) =>
      this.sql
        .exec<{ id: string; response: string; messages: string; input: string; items: string | null }>(
          'SELECT id, response, messages, input, items FROM responses WHERE instr(response, ?) > 0 ORDER BY rowid DESC LIMIT 1',
          `"id":${JSON.stringify(itemId)}`,
        )
        .toArray(),
    );
  }

  /** Deletes the entry with this id; false when there was none (or it had expired). */
  remove(id: string, now: number): boolean {
    this.expire(now);
    return this.sql.exec('DELETE FROM responses WHERE id = ?', id).rowsWritten > 0;
  }

  /** Drops what has expired even when the key is never used again (the alarm runs on the real clock). */
  override async alarm(): Promise<void> {
    this.expire(Date.now());
    const next = this.sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM responses').one().at;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 1000));
  }

  private expire(now: number): void {
    this.sql.exec('DELETE FROM responses WHERE expires_at <= ?', now);
  }
}
