import type { RequestContext } from '../http/context.ts';
import { limitsDepsFor } from '../limits/limits-deps.ts';
import { usageResponse } from '../limits/usage-response.ts';

/** `GET /v1/usage`: the calling key's spend and what remains of its limits. */
export function usage(_request: Request, rc: RequestContext): Promise<Response> {
  return usageResponse(
    rc.caller,
    limitsDepsFor(rc.env, rc.config.limits, () => rc.deps.clock.wallNow()),
  );
}
