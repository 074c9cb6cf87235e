// One request log row from one log line (src/http/log-line.ts): pure, no binding.

/** The request_log table's columns, in insert order (migrations/0001_request_log.sql). */
export const COLUMNS = [
  'request_id',
  'at',
  'key_name',
  'method',
  'route',
  'surface',
  'stream',
  'model_requested',
  'model',
  'provider',
  'status',
  'error_code',
  'attempts',
  'cache',
  'prompt_tokens',
  'cached_tokens',
  'completion_tokens',
  'cost_usd',
  'cost_estimated',
  'latency_ms',
  'ttfb_ms',
  'tool_steps',
] as const;

export type Column = (typeof COLUMNS)[number];
export type LogRow = Record<Column, string | number | null>;

/** Which wire a route speaks, so the log can be grouped by surface as well as by exact route. */
const SURFACES: Record<string, string> = {
  '/v1/chat/completions': 'chat_completions',
  '/v1/responses': 'responses',
  '/v1/messages': 'messages',
  '/v1/messages/count_tokens': 'messages',
  '/v1/embeddings': 'embeddings',
  '/chat': 'gateway',
  '/stream': 'gateway',
  '/extract': 'gateway',
};

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The row of a parsed log line; null when the line lacks what every row needs (its id, time, route and status). */
export function logRow(line: Record<string, unknown>): LogRow | null {
  const requestId = text(line['request_id']);
  const at = typeof line['at'] === 'string' ? Date.parse(line['at']) : Number.NaN;
  const route = text(line['route']);
  const status = number(line['status']);
  if (!requestId || Number.isNaN(at) || !route || status === null) return null;
  // A resumable stream's starting request is logged with its usage by the stream's object, under the same id; the
  // route's own line (written first, with nothing of the call in it) would take the id and hide that row.
  if (line['stream_op'] === 'start') return null;
  const attempts = line['attempts'];
  return {
    request_id: requestId,
    at,
    key_name: text(line['caller']),
    method: text(line['method']) ?? 'GET',
    route,
    surface: SURFACES[route] ?? (route.startsWith('/admin/') ? 'admin' : 'other'),
    stream: line['stream'] === true ? 1 : 0,
    model_requested: text(line['model_requested']),
    model: text(line['model']),
    provider: text(line['provider']),
    status,
    error_code: text(line['error_code']) ?? text(line['error_type']),
    attempts: Array.isArray(attempts) ? attempts.length : 0,
    cache: text(line['cache']),
    prompt_tokens: number(line['prompt_tokens']),
    cached_tokens: number(line['cached_tokens']),
    completion_tokens: number(line['completion_tokens']),
    cost_usd: number(line['cost_usd']),
    cost_estimated: line['cost_estimated'] === true ? 1 : 0,
    latency_ms: number(line['latency_ms']) ?? 0,
    ttfb_ms: number(line['ttfb_ms']),
    tool_steps: number(line['tool_iterations']),
  };
}

/** The insert of one row; a redelivered message (same request id) inserts nothing. */
export const INSERT_ROW = `INSERT OR IGNORE INTO request_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
