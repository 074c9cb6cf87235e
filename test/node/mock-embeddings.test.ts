// The mock upstream's POST …/embeddings, checked with the official OpenAI SDK as client and against the recorded
// OpenAI answers in ../shared/providers (openai-embeddings-base64.json, openai-embeddings-error-404.json).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallsReport } from '../../mock/calls.ts';
import { startMockUpstream, type MockUpstream } from '../../mock/upstream.ts';

const PROVIDERS = fileURLToPath(new URL('../../../shared/providers', import.meta.url));
const recorded = (name: string): Record<string, unknown> | undefined =>
  existsSync(`${PROVIDERS}/${name}`) ? JSON.parse(readFileSync(`${PROVIDERS}/${name}`, 'utf8')) : undefined;

let mock: MockUpstream;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockUpstream({});
  client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0, timeout: 5000 });
});
afterAll(() => mock.close());

/** A directive for requests to a fresh model name (the embeddings body has no room for a `mock` field). */
async function scenario(directive: Record<string, unknown>): Promise<{ model: string; id: string }> {
  const id = crypto.randomUUID();
  const model = `embed-${id}`;
  await fetch(`${mock.url}/__mock/scenarios/${model}`, { method: 'PUT', body: JSON.stringify({ id, ...directive }) });
  return { model, id };
}

/** Each key of an object with the JSON type of its value, recursively (arrays by their first item). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, shape(v)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  return value === null ? 'null' : typeof value;
}

const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('the mock upstream’s embeddings', () => {
  it('answers floats when asked, unit vectors of the default size, the same for the same input, with usage', async () => {
    const a = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['hello world', 'goodbye'],
      encoding_format: 'float',
    });
    expect(a.object).toBe('list');
    expect(a.model).toBe('text-embedding-3-small');
    expect(a.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(a.data[0]?.embedding).toHaveLength(1536);
    expect(norm(a.data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
    expect(a.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    const b = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'float' });
    expect(b.data[0]?.embedding).toEqual(a.data[0]?.embedding);
    expect(a.data[1]?.embedding).not.toEqual(a.data[0]?.embedding);
  });

  it('answers base64 of little-endian float32s when asked, honouring dimensions, shaped like the OpenAI recording', async () => {
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['Hello, world!'],
      dimensions: 128,
      encoding_format: 'float',
    });
    const raw = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['Hello, world!'],
      dimensions: 128,
      encoding_format: 'base64',
    });
    const encoded = raw.data[0]?.embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes.length).toBe(128 * 4);
    expect(Array.from({ length: 128 }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(floats.data[0]?.embedding);
    // The SDK asks for base64 and decodes it itself when no encoding is named: the same floats.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['Hello, world!'], dimensions: 128 });
    expect(decoded.data[0]?.embedding).toEqual(floats.data[0]?.embedding);
    const recording = recorded('openai-embeddings-base64.json');
    if (recording) {
      expect(shape(raw)).toEqual(shape(recording));
      expect(encoded.length).toBe((recording['data'] as { embedding: string }[])[0]?.embedding.length);
    }
  });

  it('records every call of a scenario and answers its errors as OpenAI does, refusing bad fields by name', async () => {
    const { model, id } = await scenario({ steps: [{ status: 404 }] });
    const error = await client.embeddings.create({ model, input: 'x', encoding_format: 'float' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(404);
    const recording = recorded('openai-embeddings-error-404.json');
    if (recording) expect(shape((error as APIError).error)).toEqual(shape(recording['error']));
    const ok = await client.embeddings.create({ model, input: [[1, 2, 3]], encoding_format: 'float' });
    expect(ok.usage.prompt_tokens).toBe(3);
    const calls = (await (await fetch(`${mock.url}/__mock/calls/${id}`)).json()) as CallsReport;
    expect(calls.count).toBe(2);
    expect(calls.requests[1]?.body).toEqual({ model, input: [[1, 2, 3]], encoding_format: 'float' });

    const bad = await fetch(`${mock.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x', dimensions: 0 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('dimensions');
  });
});
