import { adminApi } from '../admin/admin-api.ts';
import type { RequestContext } from '../http/context.ts';
import { limitsDepsFor } from '../limits/limits-deps.ts';

/** `/admin/keys…`: the admin API (its guard ran in the before stage, from the same route row). */
export function admin(request: Request, rc: RequestContext): Promise<Response> {
  return adminApi(request, { ...limitsDepsFor(rc.env, rc.config.limits, () => rc.deps.clock.wallNow()), index: rc.env.KEY_INDEX });
}
