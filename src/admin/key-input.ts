import { isJsonObject } from '../core/types.ts';
import { GatewayError, invalidField } from '../errors.ts';

// Strict validation of admin request bodies: unknown fields, wrong types and values out of bounds are 400s that
// name the field, so a typo (`request_per_minute`) never silently leaves a key unlimited.

/** The fields of a key an admin may set (null clears a limit or restriction). */
export interface KeyFields {
  name?: string;
  requests_per_minute?: number | null;
  tokens_per_day?: number | null;
  usd_per_day?: number | null;
  usd_per_month?: number | null;
  models?: string[] | null;
  origins?: string[] | null;
  expires_at?: number | null;
}

const MAX_YEARS_AHEAD = 10;

type Check = (value: unknown, field: string, nowMs: number) => unknown;

const integerIn =
  (min: number, max: number): Check =>
  (value, field) => {
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw invalidField(field, `${field} must be a whole number or null.`, 'invalid_type');
    if (value < min || value > max) throw invalidField(field, `${field} must be between ${min} and ${max}.`);
    return value;
  };

const dollars: Check = (value, field) => {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidField(field, `${field} must be a number of US dollars or null.`, 'invalid_type');
  if (value <= 0 || value > 1_000_000) throw invalidField(field, `${field} must be more than 0 and at most 1000000.`);
  return value;
};

const stringList =
  (max: number, each: (item: string, field: string) => void): Check =>
  (value, field) => {
    if (value === null) return null;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw invalidField(field, `${field} must be an array of strings or null.`, 'invalid_type');
    if (value.length === 0 || value.length > max)
      throw invalidField(field, `${field} must list between 1 and ${max} entries (null allows any).`);
    for (const item of value as string[]) each(item, field);
    return [...new Set(value as string[])];
  };

const modelPattern = (item: string, field: string) => {
  if (!/^[A-Za-z0-9._:@/*-]{1,200}$/.test(item))
    throw invalidField(field, `${field}: "${item.slice(0, 200)}" is not a model pattern like "openai/*" or "openai/gpt-4o-mini".`);
};

const origin = (item: string, field: string) => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(item);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== item) {
    throw invalidField(
      field,
      `${field}: "${item.slice(0, 200)}" is not an origin like "https://app.example.com" (scheme, host and port only, no trailing slash).`,
    );
  }
};

const name: Check = (value, field) => {
  if (typeof value !== 'string') throw invalidField(field, `${field} must be a string.`, 'invalid_type');
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 100 || /\p{Cc}/u.test(trimmed))
    throw invalidField(field, `${field} must be 1 to 100 printable characters.`);
  return trimmed;
};

const expiresAt: Check = (value, field, nowMs) => {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalidField(field, `${field} must be a time in Unix seconds, or null.`, 'invalid_type');
  const now = Math.floor(nowMs / 1000);
  if (value <= now || value > now + MAX_YEARS_AHEAD * 366 * 86_400)
    throw invalidField(field, `${field} must be in the future, and at most ${MAX_YEARS_AHEAD} years ahead (Unix seconds).`);
  return value;
};

// A null-prototype table: looking up a caller's field name in it finds a check or nothing, never an Object.prototype member.
const CHECKS: Readonly<Record<keyof KeyFields, Check>> = Object.assign(Object.create(null) as Record<keyof KeyFields, Check>, {
  name,
  requests_per_minute: integerIn(1, 1_000_000),
  tokens_per_day: integerIn(1, 1_000_000_000_000),
  usd_per_day: dollars,
  usd_per_month: dollars,
  models: stringList(100, modelPattern),
  origins: stringList(50, origin),
  expires_at: expiresAt,
});

function fields(body: unknown, nowMs: number): KeyFields {
  if (!isJsonObject(body)) throw new GatewayError(400, 'The body must be a JSON object.', { code: 'invalid_json' });
  // Own properties only: a field named `toString`, `constructor` or `__proto__` is an unknown field like any other.
  const checked = Object.entries(body).map(([field, value]) => {
    const check = Object.hasOwn(CHECKS, field) ? CHECKS[field as keyof KeyFields] : undefined;
    if (!check) throw invalidField(field, `Unknown field ${field}; the fields are ${Object.keys(CHECKS).join(', ')}.`, 'unknown_field');
    return [field, check(value, field, nowMs)] as const;
  });
  // fromEntries defines each field as an own property (never a prototype assignment); a plain object, as RPC to the key's object needs.
  return Object.fromEntries(checked) as KeyFields;
}

/** The body of `POST /admin/keys`: `name` required, everything else optional. */
export function parseCreate(body: unknown, nowMs: number): KeyFields & { name: string } {
  const parsed = fields(body, nowMs);
  if (parsed.name === undefined)
    throw invalidField('name', 'name is required: what the key is for, shown in logs and listings.', 'missing_field');
  return { ...parsed, name: parsed.name };
}

/** The body of `PATCH /admin/keys/:id`: at least one field. */
export function parsePatch(body: unknown, nowMs: number): KeyFields {
  const parsed = fields(body, nowMs);
  if (Object.keys(parsed).length === 0)
    throw new GatewayError(400, `The body must set at least one of ${Object.keys(CHECKS).join(', ')}.`, { code: 'missing_field' });
  return parsed;
}

/** Reads a JSON body of at most 16 KB. */
export async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 16_384) throw new GatewayError(413, 'The body is larger than 16 KB.', { code: 'request_too_large' });
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(400, 'The body is not valid JSON.', { code: 'invalid_json' });
  }
}
