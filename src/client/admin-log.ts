import { type ClientOptions, sendJson } from './request.ts';

/** One call in the request log (`GET /admin/logs`): what the gateway stored of it; never a prompt or an answer. */
export interface LogEntry {
  readonly request_id: string;
  /** When the request arrived, ISO 8601 (UTC). */
  readonly at: string;
  /** The key's name (or `key:` and a short prefix of its hash); null for anonymous calls. */
  readonly key_name: string | null;
  readonly method: string;
  readonly route: string;
  readonly surface: string;
  readonly stream: boolean;
  readonly model_requested: string | null;
  /** The `provider/model` that answered, or was tried last. */
  readonly model: string | null;
  readonly provider: string | null;
  readonly status: number;
  readonly error_code: string | null;
  /** Upstream attempts (0 for a cache hit). */
  readonly attempts: number;
  /** `HIT`, `MISS` or `BYPASS`. */
  readonly cache: string | null;
  readonly prompt_tokens: number | null;
  readonly cached_tokens: number | null;
  readonly completion_tokens: number | null;
  readonly cost_usd: number | null;
  readonly cost_estimated: boolean;
  readonly latency_ms: number;
  readonly ttfb_ms: number | null;
  readonly tool_steps: number | null;
}

/** One page of the log, newest first; `next_cursor` continues after its last row. */
export interface LogPage {
  readonly object: 'list';
  readonly data: readonly LogEntry[];
  readonly has_more: boolean;
  readonly next_cursor: string | null;
}

/** Filters of `GET /admin/logs`; times are ISO 8601 (`from` inclusive, `to` exclusive). */
export interface LogFilters {
  readonly key?: string;
  /** Matches the model asked for or the one that answered. */
  readonly model?: string;
  readonly status?: number;
  readonly from?: string;
  readonly to?: string;
  /** Rows a page, at most 1000 (100 by default). */
  readonly limit?: number;
  readonly cursor?: string;
}

/** One time bucket of one group in `GET /admin/stats`. */
export interface StatsEntry {
  /** `2026-12-06` by day, `2026-12-06T14:00:00Z` by hour (UTC). */
  readonly bucket: string;
  readonly model?: string | null;
  readonly key?: string | null;
  readonly provider?: string | null;
  readonly requests: number;
  /** Calls answered with a status of 400 or more. */
  readonly errors: number;
  readonly error_rate: number;
  /** Calls the cache answered, and calls it could have answered but had no entry for (BYPASS calls are neither). */
  readonly cache_hits: number;
  readonly cache_misses: number;
  readonly prompt_tokens: number;
  readonly cached_tokens: number;
  readonly completion_tokens: number;
  readonly cost_usd: number;
  readonly latency_p50_ms: number | null;
  readonly latency_p95_ms: number | null;
}

export interface StatsQuery {
  readonly group?: 'day' | 'hour';
  readonly by?: 'model' | 'key' | 'provider';
  readonly from?: string;
  readonly to?: string;
}

export interface StatsReport {
  readonly object: 'gateway.stats';
  readonly group: 'day' | 'hour';
  readonly by: 'model' | 'key' | 'provider';
  readonly from: string;
  readonly to: string;
  /** More series than the gateway returns at once: narrow the range. */
  readonly truncated: boolean;
  readonly data: readonly StatsEntry[];
}

/** The query string of the given fields, without the empty ones. */
function query(fields: object): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * A page of the request log. `key` in the options is the gateway's admin token (ADMIN_TOKEN), not a gateway key.
 *
 * @example
 * const page = await adminLogs({ key: adminToken }, { status: 500, limit: 50 });
 * if (page.has_more) await adminLogs({ key: adminToken }, { status: 500, limit: 50, cursor: page.next_cursor ?? '' });
 */
export async function adminLogs(options: ClientOptions, filters: LogFilters = {}): Promise<LogPage> {
  return (await sendJson<LogPage>(options, 'GET', `/admin/logs${query(filters)}`)).data;
}

/**
 * Requests, errors, tokens, cost and latency percentiles per day or hour and per model, key or provider, from the
 * request log. `key` in the options is the admin token.
 *
 * @example
 * const { data } = await adminStats({ key: adminToken }, { group: 'day', by: 'model' });
 */
export async function adminStats(options: ClientOptions, stats: StatsQuery = {}): Promise<StatsReport> {
  return (await sendJson<StatsReport>(options, 'GET', `/admin/stats${query(stats)}`)).data;
}
