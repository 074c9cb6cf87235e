import { positiveInt } from '../config/typed-variables.ts';
import type { RequestLogBindings } from './bindings.ts';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: a long backlog goes in bounded steps, each well inside D1's per-query limits. */
const CHUNK = 5_000;

/** REQUEST_LOG_RETENTION_DAYS as a whole number of days ≥ 1; the default when unset; an error naming the variable when invalid. */
export function retentionDays(env: object): number {
  const days = positiveInt(env, 'REQUEST_LOG_RETENTION_DAYS');
  if (days > 3650) throw new Error(`REQUEST_LOG_RETENTION_DAYS must be a whole number of days from 1 to 3650; got "${days}".`);
  return days;
}

/**
 * The scheduled handler's work: deletes exactly the rows older than the retention (`at` before `now` minus the
 * retention), in chunks. `now` is the cron's scheduled time, so a test passes its own. Returns the rows deleted.
 */
export async function deleteExpiredRows(env: RequestLogBindings, now: number): Promise<number> {
  const db = env.REQUEST_LOG_DB;
  if (!db) return 0;
  const cutoff = now - retentionDays(env) * DAY_MS;
  const chunk = db.prepare('DELETE FROM request_log WHERE request_id IN (SELECT request_id FROM request_log WHERE at < ? LIMIT ?)');
  let deleted = 0;
  for (;;) {
    const result = await chunk.bind(cutoff, CHUNK).run();
    deleted += result.meta.changes;
    if (result.meta.changes < CHUNK) return deleted;
  }
}
