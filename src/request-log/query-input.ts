import { GatewayError, invalidField } from '../errors.ts';

const MAX_TEXT = 200;

/** Refuses query parameters the endpoint does not know, and any given twice, so a typo is not a silently ignored filter. */
export function checkParams(params: URLSearchParams, known: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!known.includes(name)) throw invalidField(name, `Unknown query parameter "${name}"; use ${known.join(', ')}.`, 'unknown_field');
    if (seen.has(name)) throw invalidField(name, `Query parameter "${name}" is given more than once.`);
    seen.add(name);
  }
}

/** A short text filter (a key name, a model), or undefined when absent. */
export function textParam(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (value === '' || value.length > MAX_TEXT) throw invalidField(name, `"${name}" must be 1 to ${MAX_TEXT} characters.`);
  return value;
}

/** A whole number in [min, max], or `fallback` when absent. */
export function intParam(params: URLSearchParams, name: string, min: number, max: number, fallback?: number): number | undefined {
  const value = params.get(name);
  if (value === null) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw invalidField(name, `"${name}" must be a whole number from ${min} to ${max}; got "${value.slice(0, 40)}".`);
  return n;
}

/** A time: an ISO 8601 date-time or date (`2026-12-06T10:00:00Z`, `2026-12-06`), or milliseconds since the epoch. */
export function timeParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalidField(name, `"${name}" must be an ISO 8601 time (e.g. 2026-12-06T10:00:00Z) or milliseconds since the epoch.`);
  return ms;
}

/** One of a few words, or `fallback` when absent. */
export function choiceParam<T extends string>(params: URLSearchParams, name: string, choices: readonly T[], fallback: T): T {
  const value = params.get(name);
  if (value === null) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw invalidField(name, `"${name}" must be one of ${choices.join(', ')}.`);
  return value as T;
}

/** A time range that ends after it starts. */
export function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && from >= to) throw invalidField('from', '"from" must be earlier than "to".');
}

/** The request log's database, or a 503 saying how to turn the log on. */
export function requireLogDatabase(db: D1Database | undefined): D1Database {
  if (db) return db;
  throw new GatewayError(503, 'The request log is off: bind a D1 database as REQUEST_LOG_DB (docs/observability.md).', {
    type: 'server_error',
    code: 'gateway_not_configured',
  });
}
