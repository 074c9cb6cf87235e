// The key's record, one row in the key object's SQLite storage.
import type { KeyRecord } from './key-record.ts';

/** Reads and writes the one record of a managed key (a static key's object holds none). */
export class KeyStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec('CREATE TABLE IF NOT EXISTS record (one INTEGER PRIMARY KEY CHECK (one = 1), json TEXT NOT NULL)');
  }

  /** The record, or null when there is none. */
  get(): KeyRecord | null {
    const row = this.sql.exec<{ json: string }>('SELECT json FROM record').toArray()[0];
    return row ? (JSON.parse(row.json) as KeyRecord) : null;
  }

  /** Stores the record, replacing any. */
  put(record: KeyRecord): void {
    this.sql.exec(
      'INSERT INTO record (one, json) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET json = excluded.json',
      JSON.stringify(record),
    );
  }
}
