// The sliding minute: one row per admitted request, in the key object's SQLite storage.

export const MINUTE_MS = 60_000;

/** The requests of the last minute, counted at any moment the caller names. */
export class RateWindow {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec('CREATE TABLE IF NOT EXISTS hits (at INTEGER NOT NULL); CREATE INDEX IF NOT EXISTS hits_at ON hits (at);');
  }

  /** Counts a request at `now`. */
  hit(now: number): void {
    this.sql.exec('INSERT INTO hits (at) VALUES (?)', now);
  }

  /** Forgets the requests that left the window before `now`. */
  prune(now: number): void {
    this.sql.exec('DELETE FROM hits WHERE at <= ?', now - MINUTE_MS);
  }

  /** The requests in the minute up to `now`. */
  count(now: number): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hits WHERE at > ? AND at <= ?', now - MINUTE_MS, now).one().n;
  }

  /** When the window will have dropped `needed` more requests: the sliding window admits again then. */
  freesAt(now: number, needed: number): number {
    const row = this.sql
      .exec<{ at: number }>('SELECT at FROM hits WHERE at > ? ORDER BY at LIMIT 1 OFFSET ?', now - MINUTE_MS, Math.max(0, needed - 1))
      .toArray()[0];
    return (row?.at ?? now) + MINUTE_MS;
  }
}
