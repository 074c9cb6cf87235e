import { beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/gateway.ts';
import { warmUpLimits } from './support/limits.ts';

// Issue 23, finding 7: admin input named like Object.prototype members was looked up on the prototype: `toString`
// and `constructor` were stored in the key's record (created 201 with a "toString" field), `__proto__` answered 500.
// And the answer that carries a new key could be kept by a cache. Through the whole app, real local Durable Objects.
beforeAll(warmUpLimits, 120_000);
const ADMIN_TOKEN = 'adm-input-test-token-0123456789';
const env = { ADMIN_TOKEN };
const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** A raw JSON body: written as text, so `__proto__` is an own field as a client sends it (an object literal would set the prototype). */
const raw = (fields: string) => ({ key: ADMIN_TOKEN, env, body: `{${fields}}`, headers: { 'content-type': 'application/json' } }) as const;

async function createKey(): Promise<{ id: string }> {
  const response = await call('/admin/keys', { key: ADMIN_TOKEN, env, json: { name: 'input test' } });
  expect(response.status).toBe(201);
  return response.json();
}

describe('admin input named like Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES)('POST /admin/keys with a field %s is a 400 unknown_field, and no key is created', async (name) => {
    const before = await call('/admin/keys', { key: ADMIN_TOKEN, env });
    const count = (await before.json<{ data: unknown[] }>()).data.length;
    const response = await call('/admin/keys', { ...raw(`"name":"proto ${name}",${JSON.stringify(name)}:1`), method: 'POST' });
    const body = await response.text();
    expect(response.status, body).toBe(400);
    expect(JSON.parse(body).error).toMatchObject({ code: 'unknown_field', param: name });
    const after = await call('/admin/keys', { key: ADMIN_TOKEN, env });
    expect((await after.json<{ data: unknown[] }>()).data).toHaveLength(count);
  });

  it.each(PROTOTYPE_NAMES)('PATCH /admin/keys/:id with a field %s is a 400 unknown_field, and the record is unchanged', async (name) => {
    const { id } = await createKey();
    const response = await call(`/admin/keys/${id}`, { ...raw(`${JSON.stringify(name)}:"x"`), method: 'PATCH' });
    const body = await response.text();
    expect(response.status, body).toBe(400);
    expect(JSON.parse(body).error).toMatchObject({ code: 'unknown_field', param: name });
    const record = await (await call(`/admin/keys/${id}`, { key: ADMIN_TOKEN, env })).json<Record<string, unknown>>();
    expect(Object.hasOwn(record, name)).toBe(false);
  });
});

describe('admin answers and caches', () => {
  it('every admin answer, the one carrying a new key first, says Cache-Control: no-store', async () => {
    const created = await call('/admin/keys', { key: ADMIN_TOKEN, env, json: { name: 'no-store test' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { id, key } = await created.json<{ id: string; key: string }>();
    expect(key).toMatch(/^gk_/);
    for (const [method, path] of [
      ['GET', '/admin/keys'],
      ['GET', `/admin/keys/${id}`],
      ['GET', `/admin/keys/${id}/usage`],
      ['PATCH', `/admin/keys/${id}`],
      ['DELETE', `/admin/keys/${id}`],
    ] as const) {
      const response = await call(path, { key: ADMIN_TOKEN, env, method, ...(method === 'PATCH' ? { json: { name: 'renamed' } } : {}) });
      expect(response.status, `${method} ${path}`).toBe(200);
      expect(response.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
    }
  });
});
