import type { Config } from '../config/config.ts';
import { sha256, toHex } from '../core/sha256.ts';
import type { Caller } from '../gateway/types.ts';
import { GatewayError, invalidKey } from '../errors.ts';

// The configured keys, hashed once per config: comparing fixed-length digests in constant time hides both content and length.
const hashedKeys = new WeakMap<Config, Promise<ArrayBuffer[]>>();

/** An anonymous caller (only where ALLOW_ANONYMOUS lets one in and no key is configured). */
export const ANONYMOUS: Caller = { keyHash: null, name: null };

/**
 * The key a request presents: `Authorization: Bearer`, or (only where the route allows them) its own key
 * header (`x-api-key`) or `?access_token=`.
 */
export function presentedKey(request: Request, url: URL, allowQueryToken: boolean, keyHeader?: string): string | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  if (match?.[1]) return match[1].trim();
  // A key sent without "Bearer" is a client bug: say so, rather than treat the call as one without a key.
  if (header !== null && header.trim() !== '')
    throw new GatewayError(401, 'Malformed Authorization header: send "Authorization: Bearer <key>".', { code: 'invalid_api_key' });
  const own = keyHeader ? request.headers.get(keyHeader)?.trim() : undefined;
  if (own) return own;
  if (allowQueryToken) return url.searchParams.get('access_token') ?? undefined;
  return undefined;
}

/**
 * Checks a presented key against GATEWAY_API_KEYS in constant time; 401 with how to fix it otherwise. Calls
 * without a key are let in only where ALLOW_ANONYMOUS says so and no key is configured: locally and deployed
 * alike, configured keys are required, and a key the gateway does not know is refused, never taken as none.
 */
export async function authenticate(key: string | undefined, config: Config): Promise<Caller> {
  if (config.gatewayKeys.length === 0) {
    if (config.allowAnonymous && !key) return ANONYMOUS;
    if (config.allowAnonymous) throw invalidKey();
    throw new GatewayError(
      401,
      'This gateway has no API keys configured, so it refuses every request. Set the secret GATEWAY_API_KEYS (locally, a line GATEWAY_API_KEYS=… in .dev.vars, then restart npm start; deployed, npx wrangler secret put GATEWAY_API_KEYS --env production), or set ALLOW_ANONYMOUS = "true" for local development only.',
      { code: 'gateway_not_configured' },
    );
  }
  if (!key) throw new GatewayError(401, 'Missing gateway key: send "Authorization: Bearer <key>".', { code: 'missing_api_key' });
  let keys = hashedKeys.get(config);
  if (!keys) {
    keys = Promise.all(config.gatewayKeys.map(sha256));
    hashedKeys.set(config, keys);
  }
  const presented = await sha256(key);
  let ok = false;
  for (const k of await keys) ok = crypto.subtle.timingSafeEqual(k, presented) || ok;
  if (!ok) throw invalidKey();
  const keyHash = toHex(presented);
  // Logs name the caller by a short prefix of the key's hash: enough to tell callers apart, useless to an attacker.
  return { keyHash, name: `key:${keyHash.slice(0, 8)}` };
}
