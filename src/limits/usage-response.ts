import { GatewayError } from '../errors.ts';
import type { Caller } from '../gateway/types.ts';
import type { KeyUsage } from './key-usage.ts';
import { staticRecord } from './key-record.ts';
import { keyObject, type LimitsDeps } from './limits-deps.ts';
import { reachLimits } from './limit-unavailable.ts';

/** A key's usage from its object: today, this month, this minute, limits and what remains (the admin API shares it). */
export async function readUsage(deps: LimitsDeps, keyHash: string): Promise<KeyUsage> {
  return reachLimits(keyObject(deps, keyHash).usage(deps.now(), staticRecord(deps.settings.staticLimits)));
}

/** The public view of a usage report: no record internals, just the key's name and its figures. */
export function usageBody(usage: KeyUsage): Record<string, unknown> {
  const { record, ...figures } = usage;
  return {
    ...figures,
    key: record
      ? { id: record.kind === 'managed' ? record.id : null, name: record.kind === 'managed' ? record.name : null, kind: record.kind }
      : null,
  };
}

/** `GET /v1/usage`: the calling key's requests, tokens and cost today and this month, its limits and what remains. */
export async function usageResponse(caller: Caller, deps: LimitsDeps): Promise<Response> {
  if (caller.keyHash === null)
    throw new GatewayError(401, 'GET /v1/usage reports on a gateway key: send "Authorization: Bearer <key>".', { code: 'missing_api_key' });
  return Response.json(usageBody(await readUsage(deps, caller.keyHash)));
}
