import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson } from '../../src/cache/cache-key.ts';

const body = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  temperature: 0,
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'x', schema: { type: 'object', properties: { b: { type: 'string' }, a: { type: 'number' } } } },
  },
};

/** The same value with object keys reversed at every depth (arrays keep their order). */
const reversed = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reversed)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reversed(v)]),
        )
      : value;

const key = (b: Record<string, unknown>, scope = 'tenant-a', model = 'openai/gpt-4o-mini') => cacheKey(scope, model, b);

describe('canonicalJson', () => {
  it('sorts object keys at every depth, inside arrays too, keeps array order, and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1},3]},"b":1}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });
});

describe('cacheKey', () => {
  it('is c1:<scope>:<SHA-256 hex>, well under KV’s 512 bytes', async () => {
    const k = await key(body);
    expect(k).toMatch(/^c1:tenant-a:[0-9a-f]{64}$/);
    expect(new TextEncoder().encode(await key(body, 'f'.repeat(64))).byteLength).toBeLessThan(512);
  });

  it('does not depend on key order at any depth', async () => {
    const turned = reversed(body) as Record<string, unknown>;
    expect(JSON.stringify(turned)).not.toBe(JSON.stringify(body));
    expect(await key(turned)).toBe(await key(body));
  });

  it('ignores how the answer is delivered, who asked, gateway-only fields, and the body’s own model name', async () => {
    const k = await key(body);
    const ignored = {
      stream: true,
      stream_options: { include_usage: true },
      user: 'u1',
      metadata: { a: 'b' },
      store: true,
      models: ['openai/gpt-4.1'],
      service_tier: 'flex',
      prompt_cache_key: 'p',
      safety_identifier: 's',
      model: 'something-else',
    };
    for (const [field, value] of Object.entries(ignored)) expect(await key({ ...body, [field]: value }), field).toBe(k);
  });

  it('changes with everything that changes the answer, and with the resolved model', async () => {
    const k = await key(body);
    const changes: Record<string, unknown>[] = [
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }] },
      { temperature: 0.2 },
      { seed: 1 },
      { stop: ['\n'] },
      { n: 2 },
      { tools: [{ type: 'function', function: { name: 'f' } }] },
      { tool_choice: 'none' },
      { response_format: { type: 'json_object' } },
      { logprobs: true },
    ];
    for (const change of changes) expect(await key({ ...body, ...change }), JSON.stringify(change)).not.toBe(k);
    expect(await key(body, 'tenant-a', 'openai/gpt-4.1')).not.toBe(k);
    const messages = [
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ];
    expect(await key({ ...body, messages })).not.toBe(await key({ ...body, messages: [...messages].reverse() }));
  });

  it('is scoped: two scopes never share a key for the same request', async () => {
    expect(await key(body, 'tenant-a')).not.toBe(await key(body, 'tenant-b'));
    expect(await key(body, 'shared')).not.toBe(await key(body, 'anonymous'));
    expect((await key(body, 'tenant-b')).slice(-64)).toBe((await key(body, 'tenant-a')).slice(-64));
  });
});
