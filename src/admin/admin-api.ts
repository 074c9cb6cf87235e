import { sha256, toHex } from '../core/sha256.ts';
import { GatewayError } from '../errors.ts';
import type { KeyIndex } from '../limits/key-index.ts';
import type { KeyRecord } from '../limits/key-record.ts';
import { keyObject, type LimitsDeps } from '../limits/limits-deps.ts';
import { limitUnavailable, reachLimits } from '../limits/limit-unavailable.ts';
import { readUsage, usageBody } from '../limits/usage-response.ts';
import { authorizeAdmin } from './admin-auth.ts';
import { type KeyFields, parseCreate, parsePatch, readBody } from './key-input.ts';
import { KEY_ID, newKeyId, newSecretKey } from './new-key.ts';

/** What the admin API needs: the key objects, the index of managed keys, ADMIN_TOKEN (in settings) and a clock. */
export interface AdminDeps extends LimitsDeps {
  /** The KEY_INDEX binding (one object, named `index`). */
  readonly index: DurableObjectNamespace<KeyIndex>;
}

const indexObject = (deps: AdminDeps) => deps.index.get(deps.index.idFromName('index'));

const unknownKey = (id: string) => new GatewayError(404, `No gateway key with id ${id}.`, { code: 'key_not_found', param: 'id' });

/** The hash that names a key's object, from the index. */
async function hashOf(deps: AdminDeps, id: string): Promise<string> {
  const entry = await reachLimits(indexObject(deps).get(id));
  if (!entry) throw unknownKey(id);
  return entry.keyHash;
}

async function createKey(request: Request, deps: AdminDeps): Promise<Response> {
  const now = deps.now();
  const input = parseCreate(await readBody(request), now);
  const key = newSecretKey();
  const keyHash = toHex(await sha256(key));
  const record: KeyRecord = {
    object: 'gateway.key',
    id: newKeyId(),
    name: input.name,
    requests_per_minute: input.requests_per_minute ?? null,
    tokens_per_day: input.tokens_per_day ?? null,
    usd_per_day: input.usd_per_day ?? null,
    usd_per_month: input.usd_per_month ?? null,
    models: input.models ?? null,
    origins: input.origins ?? null,
    expires_at: input.expires_at ?? null,
    revoked: false,
    created_at: Math.floor(now / 1000),
    kind: 'managed',
  };
  // Index first: a key that works is always listed (and so can be revoked); a failed create is taken back out.
  await reachLimits(indexObject(deps).add({ keyHash, record }));
  try {
    if (!(await keyObject(deps, keyHash).create(record))) throw new Error('a key object with this hash already holds a record');
  } catch (error) {
    await indexObject(deps)
      .remove(record.id)
      .catch(() => undefined);
    throw limitUnavailable(error);
  }
  return Response.json({ ...record, key }, { status: 201 });
}

async function updateKey(deps: AdminDeps, id: string, change: (hash: string) => Promise<KeyRecord | null>): Promise<KeyRecord> {
  const record = await reachLimits(change(await hashOf(deps, id)));
  if (!record) throw unknownKey(id);
  await reachLimits(indexObject(deps).put(record));
  return record;
}

async function patchKey(request: Request, deps: AdminDeps, id: string): Promise<Response> {
  const patch: KeyFields = parsePatch(await readBody(request), deps.now());
  const record = await updateKey(deps, id, (hash) => keyObject(deps, hash).update(patch));
  return Response.json(record);
}

async function getKey(deps: AdminDeps, id: string): Promise<Response> {
  const record = await reachLimits(keyObject(deps, await hashOf(deps, id)).getRecord());
  if (!record) throw unknownKey(id);
  return Response.json(record);
}

const methodNotAllowed = (request: Request, allowed: string) =>
  new GatewayError(405, `${request.method} is not allowed on ${new URL(request.url).pathname}; use ${allowed}.`, {
    code: 'method_not_allowed',
    headers: { allow: allowed },
  });

/**
 * The admin API, every `/admin/*` path: the token is checked before the path is even looked at, so no path
 * variant reaches a handler without it. Routes:
 * `POST /admin/keys`, `GET /admin/keys`, `GET|PATCH|DELETE /admin/keys/:id`, `GET /admin/keys/:id/usage`.
 * Errors are thrown as GatewayError for the app's one renderer.
 */
export async function adminApi(request: Request, deps: AdminDeps): Promise<Response> {
  const response = await answer(request, deps);
  // One answer carries a new key, the others name keys and their limits: no browser or proxy cache may keep any of them.
  response.headers.set('cache-control', 'no-store');
  return response;
}

async function answer(request: Request, deps: AdminDeps): Promise<Response> {
  await authorizeAdmin(request, deps.settings.adminToken);
  const path = new URL(request.url).pathname;
  const { method } = request;

  if (path === '/admin/keys') {
    if (method === 'POST') return createKey(request, deps);
    if (method === 'GET') return Response.json({ object: 'list', data: await reachLimits(indexObject(deps).list()) });
    throw methodNotAllowed(request, 'GET, POST');
  }
  const match = /^\/admin\/keys\/([^/]+)(\/usage)?$/.exec(path);
  const id = match?.[1];
  if (!id || !KEY_ID.test(id)) throw new GatewayError(404, `Unknown route ${method} ${path}.`, { code: 'unknown_route' });
  if (match?.[2]) {
    if (method !== 'GET') throw methodNotAllowed(request, 'GET');
    return Response.json(usageBody(await readUsage(deps, await hashOf(deps, id))));
  }
  if (method === 'GET') return getKey(deps, id);
  if (method === 'PATCH') return patchKey(request, deps, id);
  if (method === 'DELETE') {
    await updateKey(deps, id, (hash) => keyObject(deps, hash).revoke());
    return Response.json({ object: 'gateway.key.deleted', id, deleted: true });
  }
  throw methodNotAllowed(request, 'GET, PATCH, DELETE');
}
