import { configFor } from '../config/config.ts';
import type { RequestLogBindings } from './bindings.ts';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: a long backlog goes in bounded steps, each well inside D1's per-query limits. */
const CHUNK = 5_000;

/**
 * The scheduled handler's work: deletes exactly the rows older than the retention (`at` before `now` minus the
 * retention), in chunks. `now` is the cron's scheduled time, so a test passes its own. Returns the rows deleted.
 */
export async function deleteExpiredRows(env: RequestLogBindings, now: number): Promise<number> {
  const db = env.REQUEST_LOG_DB;
  if (!db) return 0;
  const cutoff = now - configFor(env).requestLogRetentionDays * DAY_MS;
  const chunk = db.prepare('DELETE FROM request_log WHERE request_id IN (SELECT request_id FROM request_log WHERE at < ? LIMIT ?)');
  let deleted = 0;
  for (;;) {
    const result = await chunk.bind(cutoff, CHUNK).run();
    deleted += result.meta.changes;
    if (result.meta.changes < CHUNK) return deleted;
  }
}
