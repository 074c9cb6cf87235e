import { sha256, toHex } from '../core/sha256.ts';
import { GatewayError, invalidKey } from '../errors.ts';
import type { Caller } from '../gateway/types.ts';
import { type KeyRecord, unusableReason } from './key-record.ts';
import { keyObject, type LimitsDeps } from './limits-deps.ts';
import { reachLimits } from './limit-unavailable.ts';

/** Managed keys start with this, so other keys (GATEWAY_API_KEYS) never cost a Durable Object round trip. */
export const MANAGED_KEY_PREFIX = 'gk_';

/** A caller authenticated by a managed key, with the record its object holds. */
export interface ManagedCaller extends Caller {
  readonly keyHash: string;
  readonly name: string;
  readonly record: KeyRecord;
}

/**
 * Authenticates a managed key by asking its own object, so a revocation holds on the very next request everywhere.
 * Returns null for a key that is not a managed one (check it against GATEWAY_API_KEYS instead); throws 401 for an
 * unknown, revoked or expired key, and 503 `limit_unavailable` when the object cannot be reached (always: an
 * unverified key is never let through, whatever LIMITS_FAIL_OPEN says).
 *
 * @example const caller = (await lookupKey(deps, presented)) ?? (await authenticate(presented, config));
 */
export async function lookupKey(deps: LimitsDeps, presentedKey: string): Promise<ManagedCaller | null> {
  if (!presentedKey.startsWith(MANAGED_KEY_PREFIX)) return null;
  const keyHash = toHex(await sha256(presentedKey));
  const record: KeyRecord | null = await reachLimits(keyObject(deps, keyHash).getRecord());
  if (record?.kind !== 'managed') throw invalidKey();
  const reason = unusableReason(record, deps.now());
  if (reason)
    throw new GatewayError(
      401,
      `This gateway key has been ${reason === 'revoked' ? 'revoked' : 'expired since its expires_at'}; ask the gateway's owner for a new one.`,
      { code: 'invalid_api_key' },
    );
  return { keyHash, name: record.name, record };
}
