// Configured secrets never leave the gateway: every string an upstream sent is scrubbed before a client or a log sees it.
import { GatewayError } from '../errors.ts';

/** Replaces every configured secret's exact value in a text that is about to leave the gateway (a response, a log line). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  // The length check first: most strings (field names, words) are shorter than any secret, and it costs far less than `includes`.
  for (const secret of secrets) if (out.length >= secret.length && out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * A parsed JSON value with every string in it scrubbed, object keys included, at any depth: no list of known
 * fields, so an upstream's extra field is covered too. Copy on write: the same value comes back when nothing
 * matched (the usual case), and a changed one is a copy, never the caller's object edited.
 * @example scrubJson({ id: 'sk-1234567', n: 1 }, ['sk-1234567']) // { id: '[redacted]', n: 1 }
 */
export function scrubJson<T>(value: T, secrets: readonly string[]): T {
  let shortest = Number.POSITIVE_INFINITY;
  for (const secret of secrets) shortest = Math.min(shortest, secret.length);
  return shortest === Number.POSITIVE_INFINITY ? value : (scrubValue(value, secrets, shortest) as T);
}

/** scrubJson's walk; a string shorter than the `shortest` secret (most names and words) is passed over at the cost of one comparison. */
function scrubValue(value: unknown, secrets: readonly string[], shortest: number): unknown {
  if (typeof value === 'string') return value.length < shortest ? value : scrubText(value, secrets);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const clean = scrubValue(item, secrets, shortest);
      if (clean !== item) {
        out ??= [...value];
        out[i] = clean;
      }
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    const clean = scrubValue(item, secrets, shortest);
    const cleanKey = key.length < shortest ? key : scrubText(key, secrets);
    if (clean === item && cleanKey === key) continue;
    // Null prototype: an upstream's `__proto__` key stays a plain key.
    out ??= Object.assign(Object.create(null) as Record<string, unknown>, value);
    if (cleanKey !== key) delete out[key];
    out[cleanKey] = clean;
  }
  return out ?? value;
}

/** The same error with every secret removed from each field a client sees: message, type, param, code and headers. */
export function scrubError(error: GatewayError, secrets: readonly string[]): GatewayError {
  const clean = (text: string) => scrubText(text, secrets);
  const headers = scrubJson(error.headers, secrets);
  const [message, type] = [clean(error.message), clean(error.type)];
  const param = error.param === null ? null : clean(error.param);
  const code = error.code === null ? null : clean(error.code);
  if (message === error.message && type === error.type && param === error.param && code === error.code && headers === error.headers)
    return error;
  return new GatewayError(error.status, message, { type, param, upstreamCode: code, headers, cause: error.cause });
}

/**
 * Which stream text could be the start of a secret, checked cheaply: a tail can only begin a secret where its
 * first character is the first character of one, so only those positions among the last `longest - 1`
 * characters are compared, in place.
 */
export class SecretPrefixes {
  readonly #secrets: readonly string[];
  readonly #firsts: ReadonlySet<number>;
  /** The most characters a tail that could begin a secret may have. */
  readonly #hold: number;

  constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
    this.#firsts = new Set(secrets.map((s) => s.charCodeAt(0)));
    this.#hold = Math.max(0, ...secrets.map((s) => s.length - 1));
  }

  /** The length of the longest tail of `text` that is the beginning of some secret (0 when none is, the usual case). */
  tailLength(text: string): number {
    for (let at = Math.max(0, text.length - this.#hold); at < text.length; at++) {
      if (!this.#firsts.has(text.charCodeAt(at))) continue;
      const tail = text.length - at;
      for (const secret of this.#secrets) if (secret.length > tail && startsAt(text, at, secret)) return tail;
    }
    return 0;
  }
}

/** Whether `text` from `at` to its end is the beginning of `secret`. */
function startsAt(text: string, at: number, secret: string): boolean {
  for (let i = at; i < text.length; i++) if (text.charCodeAt(i) !== secret.charCodeAt(i - at)) return false;
  return true;
}
