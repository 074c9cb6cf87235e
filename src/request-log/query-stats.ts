import { roundUsd } from '../core/money.ts';
import { invalidField } from '../errors.ts';
import { checkParams, checkRange, choiceParam, timeParam } from './query-input.ts';

const PARAMS = ['group', 'by', 'from', 'to'] as const;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Each grouping's bucket (UTC) and the longest range it may cover, which bounds the series returned. */
const GROUPS = {
  day: { format: '%Y-%m-%d', defaultRange: 30 * DAY_MS, maxRange: 366 * DAY_MS },
  hour: { format: '%Y-%m-%dT%H:00:00Z', defaultRange: DAY_MS, maxRange: 31 * DAY_MS },
} as const;
const BY = { model: 'model', key: 'key_name', provider: 'provider' } as const;
/** At most this many (bucket, group) series rows; past it the answer says `truncated`. */
const MAX_SERIES = 10_000;

interface StatsRow {
  bucket: string;
  grp: string | null;
  requests: number;
  errors: number;
  cache_hits: number;
  cache_misses: number;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

/**
 * `GET /admin/stats?group=day|hour&by=model|key|provider&from&to`: per time bucket and group, requests, errors
 * (status ≥ 400) and error rate, cache hits and misses (calls the cache could answer), tokens, cost, and latency p50/p95. The percentiles are computed in SQL, by the
 * nearest-rank method (the value at rank ⌈p·n⌉ of the bucket's latencies in order), so no row leaves D1.
 */
export async function queryStats(db: D1Database, params: URLSearchParams, now: number): Promise<Record<string, unknown>> {
  checkParams(params, PARAMS);
  const group = choiceParam(params, 'group', ['day', 'hour'] as const, 'day');
  const by = choiceParam(params, 'by', ['model', 'key', 'provider'] as const, 'model');
  const { format, defaultRange, maxRange } = GROUPS[group];
  const to = timeParam(params, 'to') ?? now;
  const from = timeParam(params, 'from') ?? to - defaultRange;
  checkRange(from, to);
  if (to - from > maxRange)
    throw invalidField('from', `A range grouped by ${group} may cover at most ${maxRange / DAY_MS} days; narrow "from" and "to".`);
  const column = BY[by];
  const sql = `WITH base AS (
      SELECT strftime('${format}', at / 1000, 'unixepoch') AS bucket, ${column} AS grp, status, latency_ms, cache,
             prompt_tokens, cached_tokens, completion_tokens, cost_usd
      FROM request_log WHERE at >= ? AND at < ?
    ), ranked AS (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY bucket, grp ORDER BY latency_ms) AS rn, COUNT(*) OVER (PARTITION BY bucket, grp) AS n
      FROM base
    )
    SELECT bucket, grp, COUNT(*) AS requests, SUM(status >= 400) AS errors,
      SUM(cache = 'HIT') AS cache_hits, SUM(cache = 'MISS') AS cache_misses,
      COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
      COALESCE(SUM(completion_tokens), 0) AS completion_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
      MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN latency_ms END) AS latency_p50_ms,
      MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN latency_ms END) AS latency_p95_ms
    FROM ranked GROUP BY bucket, grp ORDER BY bucket, grp LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(from, to, MAX_SERIES + 1)
    .all<StatsRow>();
  return {
    object: 'gateway.stats',
    group,
    by,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    truncated: results.length > MAX_SERIES,
    data: results.slice(0, MAX_SERIES).map(({ grp, ...row }) => ({
      bucket: row.bucket,
      [by]: grp,
      requests: row.requests,
      errors: row.errors,
      error_rate: row.requests === 0 ? 0 : row.errors / row.requests,
      cache_hits: row.cache_hits,
      cache_misses: row.cache_misses,
      prompt_tokens: row.prompt_tokens,
      cached_tokens: row.cached_tokens,
      completion_tokens: row.completion_tokens,
      cost_usd: roundUsd(row.cost_usd),
      latency_p50_ms: row.latency_p50_ms,
      latency_p95_ms: row.latency_p95_ms,
    })),
  };
}
