import { cacheKey } from './cache-key.ts';
import { cachePolicy, type CacheMode, type CachePolicy } from './cache-policy.ts';
import { ResponseCache } from './response-cache.ts';

/** Cache settings from the configuration. */
export interface CacheSettings {
  readonly mode: CacheMode;
  readonly ttl: number;
  /** Longest TTL a request may ask for. */
  readonly maxTtl: number;
  /** `key`: entries are per gateway key; `shared`: one cache for every caller. */
  readonly scope: 'key' | 'shared';
}

/** What the cache does for one model call, and what it did (`status`, and `ageSeconds` on a hit). */
export interface CachePlan {
  readonly key: string;
  readonly policy: CachePolicy;
  readonly store: ResponseCache;
  status: 'HIT' | 'MISS';
  ageSeconds?: number;
}

export interface CachePlanInput {
  readonly kv: KVNamespace | undefined;
  readonly settings: CacheSettings;
  /** The hash of the caller's gateway key, or null for anonymous callers. */
  readonly keyHash: string | null;
  /** The `provider/model` the request resolves to first. */
  readonly model: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers: Headers;
  /** Routes whose answers are repeatable by design (`/extract`) are cached in `deterministic` mode too. */
  readonly deterministic: boolean;
}

/** The cache plan of a call, or undefined when it bypasses the cache (no CACHE binding, mode, or request). */
export async function planCache(input: CachePlanInput): Promise<CachePlan | undefined> {
  if (!input.kv) return undefined;
  const policy = cachePolicy(input.settings, input.body, input.headers, input.deterministic);
  if (!policy) return undefined;
  // Two tenants never read each other's entries unless the deployment says the cache is shared.
  const scope = input.settings.scope === 'shared' ? 'shared' : (input.keyHash ?? 'anonymous');
  return { key: await cacheKey(scope, input.model, input.body), policy, store: new ResponseCache(input.kv), status: 'MISS' };
}
