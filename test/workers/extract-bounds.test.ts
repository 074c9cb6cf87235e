// /extract's validation work is bounded before the model is paid for: issue 23 findings 2 and 7 (its /extract item).
import { describe, expect, it } from 'vitest';
import { call, mockCalls, scenario } from './support/gateway.ts';
import { watchLogLines } from './support/log-lines.ts';

type ErrorJson = { error: { message: string; code: string | null; param: string | null } };

const { logLineOf } = watchLogLines();

/** A schema whose `$defs` each apply the next one twice: `levels` levels expand to 2^levels `$ref`s. */
function fanOut(levels: number): Record<string, unknown> {
  const $defs: Record<string, unknown> = { [`d${levels}`]: { type: 'string' } };
  for (let i = 0; i < levels; i++) $defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
  return { type: 'object', properties: { v: { $ref: '#/$defs/d0' } }, required: ['v'], $defs };
}

describe('/extract bounds the work a schema can make the validator do', () => {
  it('refuses a pattern with overlapping alternatives in a repeated group, ^(\\w|\\d)*$, with 400 before any model call', async () => {
    const { model, id } = await scenario({ content: `{"code":"${'1'.repeat(31)}!"}` });
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^(\\w|\\d)*$' } }, required: ['code'] };
    const response = await call('/extract', { json: { schema, text: 'x', model } });
    expect(response.status).toBe(400);
    const { error } = await response.json<ErrorJson>();
    expect(error).toMatchObject({ code: 'invalid_schema', param: 'schema' });
    expect(error.message).toContain('#/properties/code/pattern');
    expect(error.message).toContain('alternatives that can start with the same character');
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses backreferences, lookarounds and "format": "url" (whose check in the validator backtracks exponentially)', async () => {
    const { model, id } = await scenario({});
    for (const [property, reason] of [
      [{ type: 'string', pattern: '^(a)\\1$' }, 'a backreference'],
      [{ type: 'string', pattern: '^(?!x)\\w+$' }, 'a lookahead or lookbehind'],
      [{ type: 'string', format: 'url' }, 'use "format": "uri" instead'],
    ] as const) {
      const schema = { type: 'object', properties: { v: property } };
      const response = await call('/extract', { json: { schema, text: 'x', model } });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorJson>()).error).toMatchObject({ code: 'invalid_schema', message: expect.stringContaining(reason) });
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses an allOf/$ref fan-out schema (2^13 $refs from 1.5 KB) with 400 naming the cap it passed, before any model call', async () => {
    const { model, id } = await scenario({ content: '{"v":"x"}' });
    const schema = fanOut(13);
    expect(JSON.stringify(schema).length).toBeLessThan(1600);
    const response = await call('/extract', { json: { schema, text: 'x', model } });
    expect(response.status).toBe(400);
    const { error } = await response.json<ErrorJson>();
    expect(error).toMatchObject({ code: 'invalid_schema', param: 'schema' });
    expect(error.message).toContain('more than 128 allOf/anyOf/oneOf branches');
    expect(error.message).toContain('(cap on combinator branches)');
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses a schema that expands to more $refs than the cap, or nests them deeper, before any model call', async () => {
    const { model, id } = await scenario({});
    // Two references per level, no combinator: 2^9 expansions.
    const $defs: Record<string, unknown> = { d9: { type: 'string' } };
    for (let i = 0; i < 9; i++)
      $defs[`d${i}`] = { type: 'object', properties: { a: { $ref: `#/$defs/d${i + 1}` }, b: { $ref: `#/$defs/d${i + 1}` } } };
    const wide = { type: 'object', properties: { v: { $ref: '#/$defs/d0' } }, $defs };
    // One reference per level, 40 levels.
    const chain: Record<string, unknown> = { c40: { type: 'string' } };
    for (let i = 0; i < 40; i++) chain[`c${i}`] = { $ref: `#/$defs/c${i + 1}` };
    const deep = { type: 'object', properties: { v: { $ref: '#/$defs/c0' } }, $defs: chain };
    for (const [schema, cap] of [
      [wide, 'more than 256 "$ref"s (cap on $ref expansions)'],
      [deep, 'follows more than 32 "$ref"s one inside another (cap on $ref depth)'],
    ] as const) {
      const response = await call('/extract', { json: { schema, text: 'x', model } });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorJson>()).error).toMatchObject({ code: 'invalid_schema', message: expect.stringContaining(cap) });
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses more allOf/anyOf/oneOf branches than the cap, and a schema larger than the size cap', async () => {
    const { model, id } = await scenario({});
    const branches = { type: 'object', anyOf: Array.from({ length: 129 }, (_, i) => ({ required: [`p${i}`] })) };
    const big = { type: 'object', description: 'x'.repeat(33 * 1024) };
    for (const [schema, cap] of [
      [branches, 'cap on combinator branches'],
      [big, 'schema size cap'],
    ] as const) {
      const response = await call('/extract', { json: { schema, text: 'x', model } });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorJson>()).error.message).toContain(cap);
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('stops a recursive $ref that multiplies at every level of the answer after a $ref budget linear in the answer', async () => {
    // Each level of {"n": …} applies the definition twice: 2^24 $refs for this answer without the budget.
    const answer = `{"v":${'{"n":'.repeat(24)}null${'}'.repeat(24)}}`;
    const { model } = await scenario({ content: answer });
    const twice = { properties: { n: { $ref: '#/$defs/n' } } };
    const schema = {
      type: 'object',
      properties: { v: { $ref: '#/$defs/n' } },
      $defs: { n: { type: ['object', 'null'], allOf: [twice, twice] } },
    };
    const response = await call('/extract', { json: { schema, text: 'x', model, max_attempts: 1 } });
    expect(response.status).toBe(400);
    const { error } = await response.json<ErrorJson>();
    expect(error).toMatchObject({ code: 'invalid_schema', param: 'schema' });
    // (1 expansion + 1) × (26 values + 1): the validator followed at most 54 $refs.
    expect(error.message).toContain('needed more than 54 "$ref"s to validate an answer of 26 values');
  });

  it('does not validate again an answer it already validated: the cached repeat runs the validator zero times', async () => {
    const { model, id } = await scenario({ content: '{"v":"x"}' });
    const schema = fanOut(6); // 64 $refs: within the caps
    const json = { schema, text: `repeat ${id}`, model };
    const first = await call('/extract', { json });
    expect(first.status).toBe(200);
    expect(logLineOf(first)['extract_validations']).toBe(1);
    const repeat = await call('/extract', { json });
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('x-gateway-cache')).toBe('HIT');
    expect(await repeat.json()).toMatchObject({ data: { v: 'x' } });
    expect(logLineOf(repeat)).not.toHaveProperty('extract_validations');
    expect((await mockCalls(id)).count).toBe(1);
  });
});

describe('/extract names a schema or answer too deep to validate for what it is', () => {
  it('refuses a $ref cycle that never steps into the answer with 400 invalid_schema, not "not valid JSON" after model calls', async () => {
    const { model, id } = await scenario({ content: '{"v":1}' });
    for (const schema of [
      { type: 'object', allOf: [{ $ref: '#' }] },
      { type: 'object', $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/b' }, b: { not: { $ref: '#/$defs/a' } } } },
    ]) {
      const response = await call('/extract', { json: { schema, text: 'x', model } });
      expect(response.status).toBe(400);
      const { error } = await response.json<ErrorJson>();
      expect(error).toMatchObject({ code: 'invalid_schema', param: 'schema' });
      expect(error.message).toContain('without stepping into the answer: validating it would never end');
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('answers an answer nested 20,000 deep with 422 extraction_failed saying how deep it may be, not "not valid JSON"', async () => {
    const deep = `{"v":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const { model, id } = await scenario({ content: deep });
    const schema = {
      type: 'object',
      properties: { v: { $ref: '#/$defs/list' } },
      $defs: { list: { type: 'array', items: { $ref: '#/$defs/list' } } },
    };
    const response = await call('/extract', { json: { schema, text: 'x', model, max_attempts: 1 } });
    expect(response.status).toBe(422);
    const { error } = await response.json<ErrorJson>();
    expect(error.code).toBe('extraction_failed');
    expect(error.message).toContain('the answer nests arrays and objects more than 64 levels deep');
    expect(error.message).not.toContain('not valid JSON');
    expect((await mockCalls(id)).count).toBe(1);
  });
});

describe('/extract matches patterns in time linear in the answer', () => {
  it('validates a 5,000-character answer against ^\\w*\\w*\\w*\\w*!$ (n^4 steps when backtracking) and re-asks with the mismatch', async () => {
    const { model, id } = await scenario({ content: `{"code":"${'a'.repeat(5000)}"}` });
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^\\w*\\w*\\w*\\w*!$' } }, required: ['code'] };
    const response = await call('/extract', { json: { schema, text: 'x', model, max_attempts: 1 } });
    expect(response.status).toBe(422);
    const { error } = await response.json<ErrorJson>();
    expect(error.code).toBe('extraction_failed');
    expect(error.message).toContain('#/code: String does not match pattern');
    expect(logLineOf(response)['extract_validations']).toBe(1);
    expect((await mockCalls(id)).count).toBe(1);
  });
});
