import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { assertSafeSchemaRegexes } from '../../src/extract/regex-safety.ts';
import { assertDepthWithin } from '../../src/http/json-depth.ts';
import { call, chatBody, mockCalls, scenario } from './support/gateway.ts';

type ErrorJson = { error: { message: string; code: string | null; param: string | null } };

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** The GatewayError a function throws, or undefined when it returns. */
function thrown(run: () => void): GatewayError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  return undefined;
}

describe('assertDepthWithin', () => {
  it('accepts JSON nested exactly to the limit and refuses one level more with 400 too_deep', () => {
    expect(thrown(() => assertDepthWithin(nested(64)))).toBeUndefined();
    expect(thrown(() => assertDepthWithin(nested(65)))).toMatchObject({ status: 400, code: 'too_deep' });
    expect(thrown(() => assertDepthWithin(nested(3), 2))).toMatchObject({ status: 400, code: 'too_deep' });
  });

  it('counts objects and arrays alike, and only the open ones (siblings do not add up)', () => {
    expect(thrown(() => assertDepthWithin(`{"a":${nested(63)}}`))).toBeUndefined();
    expect(thrown(() => assertDepthWithin(`{"a":${nested(64)}}`))).toMatchObject({ code: 'too_deep' });
    expect(thrown(() => assertDepthWithin(`[${Array.from({ length: 1000 }, () => nested(60)).join(',')}]`))).toBeUndefined();
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    const text = JSON.stringify({ a: '['.repeat(500), b: `\\"${'{'.repeat(500)}`, c: '\\', d: `"]]]${'['.repeat(200)}` });
    expect(thrown(() => assertDepthWithin(text, 1))).toBeUndefined();
    // A string that ends in an escaped backslash closes there: the bracket after it counts.
    expect(thrown(() => assertDepthWithin('["\\\\",[[]]]', 2))).toMatchObject({ code: 'too_deep' });
    // Runs of escaped quotes and backslashes, and an unterminated string, are scanned in one pass.
    expect(thrown(() => assertDepthWithin(`["${'\\\\\\"['.repeat(50_000)}"]`, 1))).toBeUndefined();
    expect(thrown(() => assertDepthWithin('[["[[[', 2))).toBeUndefined();
  });

  it('refuses a body nested 20,000 deep without overflowing the stack', () => {
    expect(thrown(() => assertDepthWithin(`{"messages":${nested(20_000)}}`))).toMatchObject({ status: 400, code: 'too_deep' });
  });
});

describe('assertSafeSchemaRegexes', () => {
  it('accepts everyday patterns', () => {
    const schema = {
      type: 'object',
      properties: {
        date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$' },
        word: { pattern: '^\\p{L}+$' },
      },
      patternProperties: { '^x-[a-z]+$': { type: 'string' } },
    };
    expect(thrown(() => assertSafeSchemaRegexes(schema))).toBeUndefined();
  });

  it.each([
    ['(a+)+$', { type: 'string', pattern: '(a+)+$' }, '#/pattern'],
    [
      'a pattern deep inside',
      { type: 'object', properties: { list: { type: 'array', items: { anyOf: [{ type: 'string', pattern: '^(\\w+\\s?)*$' }] } } } },
      '#/properties/list/items/anyOf/0/pattern',
    ],
    ['a patternProperties key', { type: 'object', patternProperties: { '(x+x+)+y': { type: 'string' } } }, '#/patternProperties/(x+x+)+y'],
    ['a pattern in $defs', { $defs: { name: { pattern: '(a*)*b' } }, $ref: '#/$defs/name' }, '#/$defs/name/pattern'],
    [
      'a pattern under a property named like a data keyword',
      { properties: { default: { pattern: '(a+)+$' } } },
      '#/properties/default/pattern',
    ],
    ['a pattern under an unknown keyword', { 'x-anything': { nested: { pattern: '(a+)+$' } } }, '#/x-anything/nested/pattern'],
  ])('refuses a catastrophic regex (%s) with 400 invalid_schema naming its JSON pointer', (_name, schema, pointer) => {
    const error = thrown(() => assertSafeSchemaRegexes(schema));
    expect(error).toMatchObject({ status: 400, code: 'invalid_schema', param: 'schema' });
    expect(error?.message).toContain(pointer);
  });

  it('escapes "/" and "~" in the pointer as RFC 6901 says', () => {
    expect(thrown(() => assertSafeSchemaRegexes({ properties: { 'a/b~c': { pattern: '(a+)+' } } }))?.message).toContain(
      '#/properties/a~1b~0c/pattern',
    );
  });

  it('refuses patterns that do not compile the way the validator compiles them (the u flag)', () => {
    expect(thrown(() => assertSafeSchemaRegexes({ pattern: '[' }))).toMatchObject({ code: 'invalid_schema' });
    expect(thrown(() => assertSafeSchemaRegexes({ pattern: '\\-' }))?.message).toMatch(/not a valid regular expression/);
    expect(thrown(() => assertSafeSchemaRegexes({ pattern: 5 }))?.message).toMatch(/must be a regular expression string/);
  });

  it('leaves regex-looking data alone (const, enum, default, examples are never run as patterns)', () => {
    expect(
      thrown(() =>
        assertSafeSchemaRegexes({
          enum: [{ pattern: '(a+)+$' }],
          default: { pattern: '[' },
          examples: [{ patternProperties: { '(a+)+': 1 } }],
        }),
      ),
    ).toBeUndefined();
  });

  it('bounds its walk: a schema nested past the limit is refused, not recursed over', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 10_000; i++) schema = { items: schema };
    expect(thrown(() => assertSafeSchemaRegexes(schema))).toMatchObject({ status: 400, code: 'invalid_schema' });
  });
});

// Through the gateway: both refusals happen before any model call.
describe('bounded inputs through the gateway', () => {
  it('answers a body nested 20,000 deep with 400 too_deep and no upstream call', async () => {
    const { id } = chatBody();
    const text = `{"model":"openai/gpt-4o-mini","mock":{"id":"${id}"},"messages":[{"role":"user","content":${nested(20_000)}}]}`;
    const response = await call('/v1/chat/completions', { body: text, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorJson>()).error.code).toBe('too_deep');
    expect((await mockCalls(id)).count).toBe(0);
    // The bad input took no model away from anyone: the next plain request is answered.
    const next = chatBody();
    expect((await call('/v1/chat/completions', { json: next.body })).status).toBe(200);
  });

  it('answers /extract with a catastrophic pattern with 400 invalid_schema and no upstream call', async () => {
    const { model, id } = await scenario({});
    const schema = {
      type: 'object',
      properties: { code: { type: 'string', pattern: '^(a+)+$' } },
      required: ['code'],
      additionalProperties: false,
    };
    const response = await call('/extract', { json: { schema, text: 'aaaa', model } });
    expect(response.status).toBe(400);
    const body = await response.json<ErrorJson>();
    expect(body.error).toMatchObject({ code: 'invalid_schema', param: 'schema' });
    expect(body.error.message).toContain('#/properties/code/pattern');
    expect((await mockCalls(id)).count).toBe(0);
  });
});
