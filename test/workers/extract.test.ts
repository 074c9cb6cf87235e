import { describe, expect, it } from 'vitest';
import { call, mockCalls, mockUrl, scenario } from './support/gateway.ts';

const city = {
  type: 'object',
  properties: { city: { type: 'string' }, temperature: { type: 'number' }, units: { type: 'string', enum: ['c', 'f'] } },
  required: ['city', 'temperature', 'units'],
  additionalProperties: false,
};
type ExtractBody = { data: unknown; model: string; usage: { total_tokens: number }; attempts: number };
type ErrorJson = { error: { message: string; code: string | null; param: string | null } };

describe('POST /extract', () => {
  it('returns data that matches the schema, asking with json_schema strict when the schema allows it', async () => {
    const { model, id } = await scenario({});
    const response = await call('/extract', { json: { schema: city, text: 'It is 21 degrees in Paris.', model } });
    expect(response.status).toBe(200);
    const body = await response.json<ExtractBody>();
    expect(body).toMatchObject({ data: { city: expect.any(String), temperature: expect.any(Number), units: 'c' }, attempts: 1 });
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    const sent = (await mockCalls(id)).requests[0]?.body;
    expect(sent?.['response_format']).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'extraction', strict: true, schema: city },
    });
  });

  it('sends strict: false for a schema that strict mode would refuse', async () => {
    const loose = { type: 'object', properties: { name: { type: 'string' } } };
    const { model, id } = await scenario({});
    expect((await call('/extract', { json: { schema: loose, text: 'Ada', model } })).status).toBe(200);
    expect((await mockCalls(id)).requests[0]?.body['response_format']).toMatchObject({ json_schema: { strict: false } });
  });

  it('asks again with the validation errors when an answer does not match', async () => {
    const { model, id } = await scenario({ steps: [{ content: '{"city": 5, "temperature": "warm", "units": "c"}' }] });
    const response = await call('/extract', { json: { schema: city, text: 'Paris, 21C', model } });
    expect(response.status).toBe(200);
    expect((await response.json<ExtractBody>()).attempts).toBe(2);
    const calls = await mockCalls(id);
    expect(calls.count).toBe(2);
    const reask = JSON.stringify((calls.requests[1]?.body['messages'] as unknown[] | undefined)?.at(-1));
    expect(reask).toContain('/city');
    expect(reask).toContain('does not match the JSON Schema');
  });

  it('answers 422 with the reasons when no attempt matches, after exactly max_attempts calls', async () => {
    const { model, id } = await scenario({ content: 'not json at all' });
    const response = await call('/extract', { json: { schema: city, text: 'x', model, max_attempts: 3 } });
    expect(response.status).toBe(422);
    const { error } = await response.json<ErrorJson>();
    expect(error.code).toBe('extraction_failed');
    expect(error.message).toContain('not valid JSON');
    expect((await mockCalls(id)).count).toBe(3);
  });

  it('answers 422 at once when the model refuses', async () => {
    const { model, id } = await scenario({ refusal: "I can't help with that." });
    const response = await call('/extract', { json: { schema: city, text: 'x', model } });
    expect(response.status).toBe(422);
    const { error } = await response.json<ErrorJson>();
    expect(error.code).toBe('refusal');
    expect(error.message).toContain("I can't help with that.");
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('answers 400 for an invalid schema before any upstream call', async () => {
    const { model, id } = await scenario({});
    for (const schema of [{ type: 'strng' }, { type: 'object', required: 'city' }, { $ref: '#/$defs/missing' }, 'not a schema']) {
      const response = await call('/extract', { json: { schema, text: 'x', model } });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorJson>()).error).toMatchObject({ param: 'schema', code: 'invalid_schema' });
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses max_attempts outside 1..5 and a body with neither text nor messages', async () => {
    expect((await call('/extract', { json: { schema: city, text: 'x', max_attempts: 9 } })).status).toBe(400);
    expect((await call('/extract', { json: { schema: city } })).status).toBe(400);
  });

  it('wraps a schema whose root is not an object and unwraps the answer', async () => {
    const { model, id } = await scenario({});
    const list = { type: 'array', items: { type: 'string' } };
    const response = await call('/extract', { json: { schema: list, messages: [{ role: 'user', content: 'a, b' }], model } });
    expect(response.status).toBe(200);
    expect((await response.json<ExtractBody>()).data).toEqual(['example']);
    expect((await mockCalls(id)).requests[0]?.body['response_format']).toMatchObject({
      json_schema: { schema: { type: 'object', properties: { value: list } } },
    });
  });

  it('uses json_object with the schema in the instructions for a provider without json_schema (groq)', async () => {
    const { model, id } = await scenario({ content: '{"city":"Paris","temperature":21,"units":"c"}' }, 'groq');
    const env = { GROQ_API_KEY: 'gsk-test-000000', GROQ_BASE_URL: `${mockUrl}/v1` };
    const response = await call('/extract', { json: { schema: city, text: 'Paris 21C', model, instructions: 'Find the weather.' }, env });
    expect(response.status).toBe(200);
    expect((await response.json<ExtractBody>()).data).toEqual({ city: 'Paris', temperature: 21, units: 'c' });
    const sent = (await mockCalls(id)).requests[0]?.body;
    expect(sent?.['response_format']).toEqual({ type: 'json_object' });
    const system = (sent?.['messages'] as { content: string }[] | undefined)?.[0]?.content ?? '';
    expect(system).toContain('Find the weather.');
    expect(system).toContain(JSON.stringify(city));
  });

  it("uses a forced tool call for a provider that ignores response_format (Anthropic's OpenAI-compatible layer)", async () => {
    const { model, id } = await scenario({}, 'anthropic-compat');
    const env = { ANTHROPIC_API_KEY: 'sk-ant-test-000000', ANTHROPIC_COMPAT_BASE_URL: `${mockUrl}/v1` };
    const response = await call('/extract', { json: { schema: city, text: 'Paris 21C', model }, env });
    expect(response.status).toBe(200);
    expect((await response.json<ExtractBody>()).data).toMatchObject({ units: 'c' });
    const sent = (await mockCalls(id)).requests[0]?.body;
    expect(sent?.['tool_choice']).toEqual({ type: 'function', function: { name: 'extraction' } });
    expect(sent).not.toHaveProperty('response_format');
  });

  it('asks each target of a fallback chain its own way: json_schema for OpenAI, then a forced tool after falling back', async () => {
    const failing = await scenario({ status: 503 });
    const fallback = await scenario({}, 'anthropic-compat');
    const env = {
      ANTHROPIC_API_KEY: 'sk-ant-test-000000',
      ANTHROPIC_COMPAT_BASE_URL: `${mockUrl}/v1`,
      MAX_ATTEMPTS: '1',
      FALLBACKS: JSON.stringify({ [failing.model]: [fallback.model] }),
    };
    const response = await call('/extract', { json: { schema: city, text: 'Paris 21C', model: failing.model }, env });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe(fallback.model);
    const first = (await mockCalls(failing.id)).requests[0]?.body;
    expect(first?.['response_format']).toMatchObject({ type: 'json_schema' });
    expect(first).not.toHaveProperty('tool_choice');
    const second = (await mockCalls(fallback.id)).requests[0]?.body;
    expect(second?.['tool_choice']).toEqual({ type: 'function', function: { name: 'extraction' } });
    expect(second).not.toHaveProperty('response_format');
  });
});
