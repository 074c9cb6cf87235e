import type { ChatCompletion } from '../core/types.ts';

export type CacheMode = 'off' | 'deterministic' | 'all';

/** Cache settings from the configuration. */
export interface CacheSettings {
  readonly mode: CacheMode;
  readonly ttl: number;
  /** Longest TTL a request may ask for. */
  readonly maxTtl: number;
  /** `key`: entries are per gateway key; `shared`: one cache for every caller. */
  readonly scope: 'key' | 'shared';
}

/** The cache as one request may use it: what it may read and write (already narrowed to the deployer's settings), and whose entries. */
export interface CacheRequest {
  readonly policy: CachePolicy;
  /** A hash of the caller's key, `anonymous`, or `shared`: two scopes never read each other's entries. */
  readonly scope: string;
}

/** Two tenants never read each other's entries unless the deployment says the cache is shared. */
export function cacheScope(settings: CacheSettings, keyHash: string | null): string {
  return settings.scope === 'shared' ? 'shared' : (keyHash ?? 'anonymous');
}

/** What the cache may do for one request. */
export interface CachePolicy {
  readonly read: boolean;
  readonly write: boolean;
  /** Seconds; KV's minimum of 60 applies. */
  readonly ttl: number;
  /** Whether an answer cut at max_tokens (`finish_reason: length`) may be stored. */
  readonly allowTruncated: boolean;
}

const KV_MIN_TTL = 60;

/** Reads `Cache-Control` (no-cache, no-store, max-age=N) and `x-gateway-cache-ttl`. */
function directives(headers: Headers): { noCache: boolean; noStore: boolean; maxAge: number | undefined } {
  const value = (headers.get('cache-control') ?? '').toLowerCase();
  const age = /max-age\s*=\s*(\d+)/.exec(value)?.[1] ?? headers.get('x-gateway-cache-ttl') ?? undefined;
  const maxAge = age !== undefined && /^\d+$/.test(age.trim()) ? Number(age) : undefined;
  return { noCache: /\bno-cache\b/.test(value), noStore: /\bno-store\b/.test(value), maxAge };
}

/**
 * The cache policy of a request, or undefined to bypass the cache. `deterministic` (the default) caches
 * only requests that ask for a repeatable answer (temperature 0 or a seed) and every `/extract`; `all`
 * caches everything; `off` nothing. A request narrows it with Cache-Control.
 */
export function cachePolicy(
  settings: CacheSettings,
  body: Readonly<Record<string, unknown>>,
  headers: Headers,
  alwaysDeterministic: boolean,
): CachePolicy | undefined {
  const { mode, ttl: defaultTtl } = settings;
  if (mode === 'off') return undefined;
  const deterministic = alwaysDeterministic || body['temperature'] === 0 || typeof body['seed'] === 'number';
  if (mode === 'deterministic' && !deterministic) return undefined;
  const d = directives(headers);
  if (d.noCache && d.noStore) return undefined;
  // A caller may only narrow what is stored: a TTL up to CACHE_MAX_TTL; in a shared cache, no longer TTL and no truncated answers.
  const shared = settings.scope === 'shared';
  const maxTtl = shared ? defaultTtl : settings.maxTtl;
  return {
    read: !d.noCache,
    write: !d.noStore,
    ttl: Math.max(KV_MIN_TTL, Math.min(d.maxAge ?? defaultTtl, maxTtl)),
    allowTruncated: !shared && /\ballow\b/i.test(headers.get('x-gateway-cache-truncated') ?? ''),
  };
}

/** Why an answer must not be stored, or null when it may be: content-filtered, or cut at max_tokens unless allowed. */
export function notCacheable(completion: ChatCompletion, policy: CachePolicy): string | null {
  if (completion.choices.length === 0) return 'no choices';
  for (const choice of completion.choices) {
    if (choice.finish_reason === 'content_filter') return 'content filtered';
    if (choice.finish_reason === 'length' && !policy.allowTruncated) return 'cut at max_tokens';
  }
  return null;
}
