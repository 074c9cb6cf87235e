import { DurableObject } from 'cloudflare:workers';
import type { KeyRecord } from './key-record.ts';

// The list of managed keys, for the admin API: id → the hash that names the key's own object, and a copy of
// its record to list without asking every key's object. One object (`idFromName('index')`), not KV: a key
// must be listed the moment it is created (KV lists are eventually consistent, up to a minute), admin writes
// are rare so one object is no bottleneck, and the request path never reads it (the key's own object does).

export interface IndexEntry {
  readonly keyHash: string;
  readonly record: KeyRecord;
}

export class KeyIndex extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, created_at INTEGER NOT NULL, json TEXT NOT NULL)',
    );
  }

  /** Adds a new key's entry. */
  add(entry: IndexEntry): void {
    this.sql.exec(
      'INSERT INTO keys (id, key_hash, created_at, json) VALUES (?, ?, ?, ?)',
      entry.record.id,
      entry.keyHash,
      entry.record.created_at,
      JSON.stringify(entry.record),
    );
  }

  /** The entry for a key id, or null. */
  get(id: string): IndexEntry | null {
    const row = this.sql.exec<{ key_hash: string; json: string }>('SELECT key_hash, json FROM keys WHERE id = ?', id).toArray()[0];
    return row ? { keyHash: row.key_hash, record: JSON.parse(row.json) as KeyRecord } : null;
  }

  /** Refreshes the listed copy of a key's record after its own object changed it. */
  put(record: KeyRecord): void {
    this.sql.exec('UPDATE keys SET json = ? WHERE id = ?', JSON.stringify(record), record.id);
  }

  /** Removes an entry (a create that could not finish). */
  remove(id: string): void {
    this.sql.exec('DELETE FROM keys WHERE id = ?', id);
  }

  /** Every managed key's record, oldest first. */
  list(): KeyRecord[] {
    return this.sql
      .exec<{ json: string }>('SELECT json FROM keys ORDER BY created_at, id')
      .toArray()
      .map((row) => JSON.parse(row.json) as KeyRecord);
  }
}
