import type { RequestContext } from '../http/context.ts';
import { requireLogDatabase } from '../request-log/query-input.ts';
import { queryLogs } from '../request-log/query-logs.ts';
import { queryStats } from '../request-log/query-stats.ts';

/** `GET /admin/logs`: the request log, filtered and paged (its guard ran in the before stage, from the route row). */
export async function adminLogs(request: Request, rc: RequestContext): Promise<Response> {
  const db = requireLogDatabase(rc.env.REQUEST_LOG_DB as D1Database | undefined);
  return Response.json(await queryLogs(db, new URL(request.url).searchParams));
}

/** `GET /admin/stats`: requests, tokens, cost, error rate and latency percentiles per time bucket and group. */
export async function adminStats(request: Request, rc: RequestContext): Promise<Response> {
  const db = requireLogDatabase(rc.env.REQUEST_LOG_DB as D1Database | undefined);
  return Response.json(await queryStats(db, new URL(request.url).searchParams, rc.deps.clock.wallNow()));
}
