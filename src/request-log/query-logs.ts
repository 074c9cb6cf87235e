import { invalidField } from '../errors.ts';
import { COLUMNS, type LogRow } from './log-row.ts';
import { checkParams, checkRange, intParam, textParam, timeParam } from './query-input.ts';

const PARAMS = ['key', 'model', 'status', 'from', 'to', 'limit', 'cursor'] as const;
const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** Where a page ended: the last row's time and id (newest first, the id breaking ties). */
interface Cursor {
  readonly at: number;
  readonly id: string;
}

const encodeCursor = (c: Cursor) =>
  btoa(JSON.stringify([c.at, c.id]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');

function decodeCursor(value: string): Cursor {
  try {
    const [at, id] = JSON.parse(atob(value.replaceAll('-', '+').replaceAll('_', '/'))) as unknown[];
    if (typeof at === 'number' && Number.isInteger(at) && typeof id === 'string') return { at, id };
  } catch {}
  throw invalidField('cursor', '"cursor" must be the next_cursor of an earlier page.');
}

/** One row as the API shows it: the time as ISO 8601, flags as booleans. */
function shown(row: LogRow): Record<string, unknown> {
  return { ...row, at: new Date(row.at as number).toISOString(), stream: row.stream === 1, cost_estimated: row.cost_estimated === 1 };
}

/**
 * `GET /admin/logs`: rows newest first, filtered by key name, model (asked or answered), status and time range
 * (`from` inclusive, `to` exclusive), at most `limit` (≤ 1000) a page; `next_cursor` continues after the last row.
 */
export async function queryLogs(db: D1Database, params: URLSearchParams): Promise<Record<string, unknown>> {
  checkParams(params, PARAMS);
  const key = textParam(params, 'key');
  const model = textParam(params, 'model');
  const status = intParam(params, 'status', 100, 599);
  const from = timeParam(params, 'from');
  const to = timeParam(params, 'to');
  checkRange(from, to);
  const limit = intParam(params, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  const cursorParam = params.get('cursor');
  const cursor = cursorParam === null ? undefined : decodeCursor(cursorParam);
  const where: string[] = [];
  const binds: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]) => {
    where.push(clause);
    binds.push(...values);
  };
  if (key !== undefined) add('key_name = ?', key);
  if (model !== undefined) add('(model = ? OR model_requested = ?)', model, model);
  if (status !== undefined) add('status = ?', status);
  if (from !== undefined) add('at >= ?', from);
  if (to !== undefined) add('at < ?', to);
  if (cursor) add('(at < ? OR (at = ? AND request_id < ?))', cursor.at, cursor.at, cursor.id);
  const sql = `SELECT ${COLUMNS.join(', ')} FROM request_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, request_id DESC LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...binds, limit + 1)
    .all<LogRow>();
  const page = results.slice(0, limit);
  const last = page.at(-1);
  const more = results.length > limit && last !== undefined;
  return {
    object: 'list',
    data: page.map(shown),
    has_more: more,
    next_cursor: more ? encodeCursor({ at: last.at as number, id: last.request_id as string }) : null,
  };
}
