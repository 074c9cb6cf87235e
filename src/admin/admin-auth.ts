import { sha256 } from '../core/sha256.ts';
import { GatewayError } from '../errors.ts';

/**
 * Lets a request into the admin API only with `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time
 * (as SHA-256 digests, which hides the token's length too). Without ADMIN_TOKEN the admin API does not exist:
 * every /admin path answers the same 404 as an unknown route.
 */
export async function authorizeAdmin(request: Request, adminToken: string | undefined): Promise<void> {
  if (adminToken === undefined) {
    throw new GatewayError(404, `Unknown route ${request.method} ${new URL(request.url).pathname}.`, { code: 'unknown_route' });
  }
  const match = /^Bearer\s+(.+)$/i.exec((request.headers.get('authorization') ?? '').trim());
  const presented = match?.[1]?.trim();
  if (!presented) throw new GatewayError(401, 'The admin API needs "Authorization: Bearer <ADMIN_TOKEN>".', { code: 'missing_api_key' });
  const [expected, actual] = await Promise.all([sha256(adminToken), sha256(presented)]);
  if (!crypto.subtle.timingSafeEqual(expected, actual)) throw new GatewayError(401, 'Invalid admin token.', { code: 'invalid_api_key' });
}
