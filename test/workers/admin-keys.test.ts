import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AdminDeps, adminApi } from '../../src/admin/admin-api.ts';
import { GatewayError } from '../../src/errors.ts';
import { checkAccess, checkKeyOrigin } from '../../src/limits/check-access.ts';
import type { KeyRecord } from '../../src/limits/key-record.ts';
import { UNLIMITED } from '../../src/limits/key-record.ts';
import type { LimitSettings } from '../../src/config/limit-settings.ts';
import { lookupKey } from '../../src/limits/lookup-key.ts';
import { unreachableNamespace, warmUpLimits } from './support/limits.ts';

// The admin API through its handler, against the real local Durable Objects (the key's own and the index).
beforeAll(warmUpLimits, 120_000);
const ADMIN = 'admin-token-for-tests-0123456789';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const settings = (over: Partial<LimitSettings> = {}): LimitSettings => ({
  staticLimits: UNLIMITED,
  failOpen: false,
  reservationTtlMs: 60_000,
  minOutputTokens: 256,
  adminToken: ADMIN,
  ...over,
});
const clock = { now: T0 };
const deps = (over: Partial<LimitSettings> = {}): AdminDeps => ({
  keys: env.LIMITS,
  index: env.KEY_INDEX,
  settings: settings(over),
  now: () => clock.now,
});

function admin(method: string, path: string, body?: unknown, options: { token?: string | null; deps?: AdminDeps } = {}): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json' });
  const token = options.token === undefined ? ADMIN : options.token;
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  return adminApi(new Request(`http://gateway.test${path}`, init), options.deps ?? deps());
}

/** The GatewayError a call throws (the app's one renderer turns it into the response). */
async function refused(response: Promise<unknown>): Promise<GatewayError> {
  try {
    await response;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

async function createKey(body: Record<string, unknown> = {}): Promise<KeyRecord & { key: string }> {
  const response = await admin('POST', '/admin/keys', { name: 'test key', ...body });
  expect(response.status).toBe(201);
  return response.json();
}

describe('the admin API: create, list, read, patch, revoke', () => {
  it('creates a key shown once, stores only its hash, and lists it without the key', async () => {
    const created = await createKey({
      name: 'frontend',
      requests_per_minute: 30,
      usd_per_day: 2.5,
      models: ['openai/*'],
      origins: ['https://app.example.com'],
      expires_at: T0 / 1000 + 3600,
    });
    expect(created.key).toMatch(/^gk_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      object: 'gateway.key',
      name: 'frontend',
      requests_per_minute: 30,
      tokens_per_day: null,
      usd_per_day: 2.5,
      usd_per_month: null,
      models: ['openai/*'],
      origins: ['https://app.example.com'],
      expires_at: T0 / 1000 + 3600,
      revoked: false,
      created_at: T0 / 1000,
      kind: 'managed',
    });
    expect(created.id).toMatch(/^key_[0-9a-f]{24}$/);

    const listed = await (await admin('GET', '/admin/keys')).text();
    const list = JSON.parse(listed) as { object: string; data: KeyRecord[] };
    expect(list.object).toBe('list');
    expect(list.data.find((k) => k.id === created.id)).toMatchObject({ name: 'frontend', requests_per_minute: 30 });
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(created.key)))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    for (const text of [listed, await (await admin('GET', `/admin/keys/${created.id}`)).text()]) {
      expect(text).not.toContain(created.key);
      expect(text).not.toContain(created.key.slice(3, 20));
      expect(text).not.toContain(hash);
    }
    // Only the hash names the key's object: the object holds the record, never the key.
    const record = await env.LIMITS.get(env.LIMITS.idFromName(hash)).getRecord();
    expect(record?.id).toBe(created.id);
    expect(JSON.stringify(record)).not.toContain(created.key);
  });

  it('reads and patches a key; a patch to its limits holds on the next request', async () => {
    const { id, key } = await createKey({ tokens_per_day: 1000 });
    const patched = await admin('PATCH', `/admin/keys/${id}`, {
      name: 'renamed',
      tokens_per_day: null,
      usd_per_month: 10,
      models: ['anthropic/claude-*'],
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      id,
      name: 'renamed',
      tokens_per_day: null,
      usd_per_month: 10,
      models: ['anthropic/claude-*'],
    });
    expect(await (await admin('GET', `/admin/keys/${id}`)).json()).toMatchObject({ name: 'renamed', usd_per_month: 10 });
    const list = (await (await admin('GET', '/admin/keys')).json()) as { data: KeyRecord[] };
    expect(list.data.find((k) => k.id === id)?.name).toBe('renamed');
    const caller = await lookupKey(deps(), key);
    expect(caller?.record).toMatchObject({ name: 'renamed', tokens_per_day: null });
  });

  it('revokes with DELETE: the key is refused at once, and the listing says revoked', async () => {
    const { id, key } = await createKey();
    expect((await lookupKey(deps(), key))?.name).toBe('test key');
    const deleted = await admin('DELETE', `/admin/keys/${id}`);
    expect(await deleted.json()).toEqual({ object: 'gateway.key.deleted', id, deleted: true });
    const error = await refused(lookupKey(deps(), key));
    expect([error.status, error.code]).toEqual([401, 'invalid_api_key']);
    expect(error.message).toContain('revoked');
    expect((await (await admin('GET', `/admin/keys/${id}`)).json()) as KeyRecord).toMatchObject({ revoked: true });
    const list = (await (await admin('GET', '/admin/keys')).json()) as { data: KeyRecord[] };
    expect(list.data.find((k) => k.id === id)?.revoked).toBe(true);
  });

  it("reports a key's usage", async () => {
    const { id, key } = await createKey({ tokens_per_day: 500 });
    const caller = await lookupKey(deps(), key);
    if (!caller) throw new Error('expected a managed key');
    const stub = env.LIMITS.get(env.LIMITS.idFromName(caller.keyHash));
    const r = await stub.reserve({ requestId: 'r1', tokens: 200, usd: 0.01, now: T0 });
    if (!r.ok) throw new Error('expected a reservation');
    await stub.settle(r.reservationId, { tokens: 120, usd: 0.004 });
    const usage = await (await admin('GET', `/admin/keys/${id}/usage`)).json();
    expect(usage).toMatchObject({
      object: 'gateway.key.usage',
      key: { id, name: 'test key', kind: 'managed' },
      day: { period: '2026-01-15', requests: 1, tokens: 120, usd: 0.004 },
      month: { requests: 1, tokens: 120 },
      limits: { tokens_per_day: 500 },
      remaining: { tokens_per_day: 380, usd_per_day: null },
    });
  });

  it('answers 404 for an unknown id, and for paths that are not the API', async () => {
    for (const path of ['/admin/keys/key_000000000000000000000000', '/admin/keys/key_000000000000000000000000/usage']) {
      const error = await refused(admin('GET', path));
      expect([error.status, error.code, error.param]).toEqual([404, 'key_not_found', 'id']);
    }
    const patch = await refused(admin('PATCH', '/admin/keys/key_000000000000000000000000', { name: 'x' }));
    expect([patch.status, patch.code]).toEqual([404, 'key_not_found']);
    for (const path of [
      '/admin/keys/',
      '/admin/keys//x',
      '/admin/KEYS',
      '/admin/keys/%6B',
      '/admin/other',
      '/admin/keys/not-an-id',
      '/admin/keys/key_000000000000000000000000/usage/',
    ]) {
      const error = await refused(admin('GET', path));
      expect([path, error.status, error.code]).toEqual([path, 404, 'unknown_route']);
    }
    const wrongMethod = await refused(admin('PUT', '/admin/keys'));
    expect([wrongMethod.status, wrongMethod.headers.allow]).toEqual([405, 'GET, POST']);
  });
});

describe('the admin token', () => {
  it('is required on every path, before the path is looked at', async () => {
    for (const path of ['/admin/keys', '/admin/keys/key_000000000000000000000000', '/admin/keys/x/usage', '/admin/nothing']) {
      for (const [token, code] of [
        [null, 'missing_api_key'],
        ['wrong', 'invalid_api_key'],
        [`${ADMIN}x`, 'invalid_api_key'],
      ] as const) {
        const error = await refused(admin('GET', path, undefined, { token }));
        expect([path, token, error.status, error.code]).toEqual([path, token, 401, code]);
      }
    }
    expect((await refused(admin('POST', '/admin/keys', { name: 'x' }, { token: 'wrong' }))).status).toBe(401);
  });

  it('makes the admin API absent (404, as an unknown route) when ADMIN_TOKEN is not set', async () => {
    const without = { deps: { ...deps(), settings: settings({ adminToken: undefined }) } };
    for (const token of [null, ADMIN, '']) {
      const error = await refused(admin('GET', '/admin/keys', undefined, { ...without, token }));
      expect([error.status, error.code, error.message]).toEqual([404, 'unknown_route', 'Unknown route GET /admin/keys.']);
    }
  });
});

describe('strict input', () => {
  const cases: [string, unknown, string, string][] = [
    ['an unknown field', { name: 'a', request_per_minute: 5 }, 'request_per_minute', 'unknown_field'],
    ['a missing name', { tokens_per_day: 5 }, 'name', 'missing_field'],
    ['an empty name', { name: '  ' }, 'name', 'invalid_value'],
    ['a name that is not a string', { name: 5 }, 'name', 'invalid_type'],
    ['a fractional request limit', { name: 'a', requests_per_minute: 1.5 }, 'requests_per_minute', 'invalid_type'],
    ['a zero request limit', { name: 'a', requests_per_minute: 0 }, 'requests_per_minute', 'invalid_value'],
    ['a string token limit', { name: 'a', tokens_per_day: '1000' }, 'tokens_per_day', 'invalid_type'],
    ['a negative budget', { name: 'a', usd_per_day: -1 }, 'usd_per_day', 'invalid_value'],
    ['an infinite-looking budget', { name: 'a', usd_per_month: 1e9 }, 'usd_per_month', 'invalid_value'],
    ['models that are not a list', { name: 'a', models: 'openai/*' }, 'models', 'invalid_type'],
    ['an empty model list', { name: 'a', models: [] }, 'models', 'invalid_value'],
    ['a model pattern with spaces', { name: 'a', models: ['openai/ gpt'] }, 'models', 'invalid_value'],
    ['an origin with a path', { name: 'a', origins: ['https://app.example.com/'] }, 'origins', 'invalid_value'],
    ['an origin that is not http', { name: 'a', origins: ['file://x'] }, 'origins', 'invalid_value'],
    ['an expiry in the past', { name: 'a', expires_at: T0 / 1000 - 1 }, 'expires_at', 'invalid_value'],
    ['an expiry in milliseconds', { name: 'a', expires_at: T0 + 3600_000 }, 'expires_at', 'invalid_value'],
  ];
  for (const [what, body, param, code] of cases) {
    it(`refuses ${what} with a 400 naming the field`, async () => {
      const error = await refused(admin('POST', '/admin/keys', body));
      expect([error.status, error.param, error.code]).toEqual([400, param, code]);
    });
  }

  it('refuses a body that is not a JSON object, and an empty patch', async () => {
    for (const body of ['not json', '[]', 'null']) expect((await refused(admin('POST', '/admin/keys', body))).status).toBe(400);
    const { id } = await createKey();
    expect((await refused(admin('PATCH', `/admin/keys/${id}`, {}))).code).toBe('missing_field');
    expect((await refused(admin('PATCH', `/admin/keys/${id}`, { revoked: false }))).code).toBe('unknown_field');
  });
});

describe('authenticating a managed key', () => {
  it('leaves keys that are not managed ones to GATEWAY_API_KEYS, and refuses unknown managed keys', async () => {
    expect(await lookupKey(deps(), 'gw-test-key-1')).toBeNull();
    const error = await refused(lookupKey(deps(), `gk_${'A'.repeat(43)}`));
    expect([error.status, error.code]).toEqual([401, 'invalid_api_key']);
  });

  it('refuses an expired key from the second it expires', async () => {
    const { key } = await createKey({ expires_at: T0 / 1000 + 60 });
    clock.now = T0 + 59_999;
    expect((await lookupKey(deps(), key))?.name).toBe('test key');
    clock.now = T0 + 60_000;
    const error = await refused(lookupKey(deps(), key));
    clock.now = T0;
    expect([error.status, error.code]).toEqual([401, 'invalid_api_key']);
    expect(error.message).toContain('expired');
  });

  it('fails closed with 503 when the key object cannot be reached, even with LIMITS_FAIL_OPEN', async () => {
    const unreachable = { ...deps({ failOpen: true }), keys: unreachableNamespace() };
    const error = await refused(lookupKey(unreachable, `gk_${'B'.repeat(43)}`));
    expect([error.status, error.code]).toEqual([503, 'limit_unavailable']);
  });

  it('refuses a model or an origin the key may not use (403), before any call', async () => {
    const { key } = await createKey({ models: ['openai/*', 'groq/llama-3.1-8b-instant'], origins: ['https://app.example.com'] });
    const caller = await lookupKey(deps(), key);
    if (!caller) throw new Error('expected a managed key');
    expect(() => checkAccess(caller.record, { models: ['openai/gpt-4o-mini', 'groq/llama-3.1-8b-instant'] })).not.toThrow();
    expect(() => checkKeyOrigin(caller.record, 'https://app.example.com')).not.toThrow();
    expect(() => checkKeyOrigin(caller.record, null)).not.toThrow();
    expect(() => checkAccess(caller.record, { models: ['openai/gpt-4o'] })).not.toThrow();
    const model = (() => {
      try {
        checkAccess(caller.record, { models: ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5'] });
      } catch (error) {
        return error as GatewayError;
      }
    })();
    expect([model?.status, model?.code, model?.param]).toEqual([403, 'forbidden_model', 'model']);
    expect(model?.message).toContain('anthropic/claude-sonnet-4-5');
    expect(() => checkKeyOrigin(caller.record, 'https://evil.example')).toThrow(
      expect.objectContaining({ status: 403, code: 'origin_not_allowed' }),
    );
    expect(() => checkAccess(caller.record, { models: ['groq/llama-3.1-70b'] })).toThrow(
      expect.objectContaining({ code: 'forbidden_model' }),
    );
  });
});
