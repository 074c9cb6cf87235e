import { NO_RATE_LIMITS, type RateLimits } from '../core/limit-state.ts';
import type { Caller } from '../gateway/types.ts';
import { hasLimits } from './budget-stage.ts';
import { refusal } from './refusal.ts';
import { staticRecord } from './key-record.ts';
import { keyObject, type LimitsDeps } from './limits-deps.ts';
import { limitUnavailable } from './limit-unavailable.ts';

/**
 * Counts a request that spends no tokens (a token count) against its key's requests per minute, before any of its
 * work is done: a key over its rate limit, revoked or expired is refused as a model call would be. Returns the
 * key's rate limits after it (the route writes them as headers); anonymous callers and keys without limits cost no object call.
 */
export async function admitRequest(caller: Caller, deps: LimitsDeps): Promise<RateLimits> {
  if (caller.keyHash === null || !hasLimits(caller, deps.settings)) return NO_RATE_LIMITS;
  let result: Awaited<ReturnType<ReturnType<typeof keyObject>['admit']>>;
  try {
    result = await keyObject(deps, caller.keyHash).admit(deps.now(), staticRecord(deps.settings.staticLimits));
  } catch (error) {
    if (deps.settings.failOpen) return NO_RATE_LIMITS;
    throw limitUnavailable(error);
  }
  if (!result.ok) throw refusal(result);
  return result.limits;
}
