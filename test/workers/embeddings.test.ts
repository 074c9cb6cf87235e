// POST /v1/embeddings through the whole app in workerd, the official openai SDK as client and the mock upstream
// behind it: encodings, usage and cost, the KV cache, access, refusals, upstream errors, cancellation, the log line.
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, eventually, mockCalls, mockUrl, scenario, upstreamSaw } from './support/gateway.ts';

type ErrorJson = { error: { message: string; type: string; param: string | null; code: string | null } };

/** The openai SDK pointed at the gateway (through `call`, so each request goes through a fresh app and its waitUntil work ends). */
function sdk(env: Record<string, string> = {}, key = 'gw-test-key-1'): OpenAI {
  return new OpenAI({
    apiKey: key,
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: (input, init) =>
      call(new URL(String(input)).pathname, {
        method: 'POST',
        body: String(init?.body),
        headers: { 'content-type': 'application/json' },
        key,
        env,
      }),
  });
}

/** The mock upstream's own answer for the same request, read directly (floats). */
async function direct(model: string, input: string | string[], dimensions?: number): Promise<number[][]> {
  const client = new OpenAI({ apiKey: 'sk-direct', baseURL: `${mockUrl}/v1`, maxRetries: 0 });
  const answer = await client.embeddings.create({ model, input, encoding_format: 'float', ...(dimensions ? { dimensions } : {}) });
  return answer.data.map((d) => d.embedding);
}

/** Little-endian float32s from base64, as OpenAI encodes them. */
function floatsOf(base64: string): number[] {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

const post = (json: unknown, options: Parameters<typeof call>[1] = {}) => call('/v1/embeddings', { json, ...options });
/** A text no other test embeds, so no cache entry of another test answers it. */
const fresh = (label: string) => `${label} ${crypto.randomUUID()}`;

describe('POST /v1/embeddings with the openai SDK', () => {
  it('answers floats when asked for floats, the upstream’s own vectors, with the gateway’s headers', async () => {
    const input = [fresh('first'), fresh('second')];
    const { data, response } = await sdk()
      .embeddings.create({ model: 'openai/text-embedding-3-small', input, encoding_format: 'float', dimensions: 64 })
      .withResponse();
    expect(data.object).toBe('list');
    expect(data.data.map((d) => d.index)).toEqual([0, 1]);
    expect(data.data.map((d) => d.embedding)).toEqual(await direct('text-embedding-3-small', input, 64));
    expect(response.headers.get('x-gateway-model')).toBe('openai/text-embedding-3-small');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers base64 strings unchanged when asked for base64, and floats the SDK decodes when no encoding is named', async () => {
    const input = fresh('encoded');
    const [expected] = await direct('text-embedding-3-small', input, 32);
    const asked = await sdk().embeddings.create({
      model: 'openai/text-embedding-3-small',
      input,
      encoding_format: 'base64',
      dimensions: 32,
    });
    const encoded = asked.data[0]?.embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    expect(floatsOf(encoded)).toEqual(expected);
    // Without encoding_format the SDK asks for base64 and decodes it itself: the gateway must pass base64 through.
    const omitted = await sdk().embeddings.create({ model: 'openai/text-embedding-3-small', input: fresh('omitted'), dimensions: 32 });
    expect(Array.isArray(omitted.data[0]?.embedding)).toBe(true);
    expect(omitted.data[0]?.embedding).toHaveLength(32);
  });

  it('answers in the encoding asked for even when an upstream ignores encoding_format, counts usage it omits, and refuses a malformed answer with 502', async () => {
    const answer = (embedding: unknown) => ({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding }],
      model: 'm',
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
    const floats = await scenario({ body: answer([0.5, -0.25]) });
    const asBase64 = await post({ model: floats.model, input: fresh('ignored'), encoding_format: 'base64' });
    const encoded = (await asBase64.json<{ data: { embedding: string }[] }>()).data[0]?.embedding ?? '';
    expect(floatsOf(encoded)).toEqual([0.5, -0.25]);
    const strings = await scenario({ body: answer('AAAAPwAAgL4=') });
    const asFloats = await post({ model: strings.model, input: fresh('ignored'), encoding_format: 'float' });
    expect((await asFloats.json<{ data: { embedding: number[] }[] }>()).data[0]?.embedding).toEqual([0.5, -0.25]);
    const broken = await scenario({ body: answer({ not: 'a vector' }) });
    const refused = await post({ model: broken.model, input: fresh('broken') });
    expect(refused.status).toBe(502);
    expect((await refused.json<ErrorJson>()).error.code).toBe('upstream_malformed_response');
    // No usage from the upstream: the gateway counts the input (tokenizer estimate for a non-OpenAI-chat model) and says it.
    const { usage: _, ...unmetered } = answer([0.5]);
    const silent = await scenario({ body: unmetered });
    const counted = await post({ model: silent.model, input: 'hello world' });
    expect(counted.headers.get('x-gateway-prompt-tokens')).toBe('2');
    expect((await counted.json<{ usage: unknown }>()).usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    const short = await scenario({ body: answer([0.5]) });
    expect((await post({ model: short.model, input: ['a', 'b'] })).status).toBe(502);
  });

  it('sends the upstream exactly the caller’s fields, encoding_format always named, the provider’s model name', async () => {
    const { model, id } = await scenario({});
    const input = fresh('fields');
    expect((await post({ model, input: [input], user: 'u-1' })).status).toBe(200);
    const [sent] = (await mockCalls(id)).requests;
    expect(sent?.body).toEqual({ model: model.slice('openai/'.length), input: [input], encoding_format: 'float', user: 'u-1' });
    expect(sent?.url).toBe('/v1/embeddings');
  });

  it('passes a recorded OpenAI base64 answer through byte for byte, and its recorded 404 as a 404', async () => {
    const providers = { OPENAI_BASE_URL: `${mockUrl}/providers/v1` };
    const register = async (directive: Record<string, unknown>) => {
      const name = `recorded-${crypto.randomUUID()}`;
      await fetch(`${mockUrl}/providers/__mock/scenarios/${name}`, { method: 'PUT', body: JSON.stringify(directive) });
      return `openai/${name}`;
    };
    const ok = await register({ fixture: 'openai-embeddings-base64.json' });
    const fixture = await (await fetch(`${mockUrl}/providers/__mock/fixtures/openai-embeddings-base64.json`)).json<{
      data: { embedding: string }[];
    }>();
    const answer = await sdk(providers).embeddings.create({
      model: ok,
      input: ['Hello, world!'],
      encoding_format: 'base64',
      dimensions: 128,
    });
    expect(answer.data[0]?.embedding).toBe(fixture.data[0]?.embedding);
    expect(answer.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    const missing = await register({ fixture: 'openai-embeddings-error-404.json', status: 404 });
    const response = await post({ model: missing, input: 'x' }, { env: providers });
    expect(response.status).toBe(404);
    expect((await response.json<ErrorJson>()).error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
  });
});

describe('each provider with embeddings', () => {
  it('is reached at its own embeddings URL with its own key: Azure by deployment, Gemini, Mistral, Ollama, a custom provider', async () => {
    const env = {
      AZURE_OPENAI_API_KEY: 'azure-secret-123456',
      AZURE_OPENAI_ENDPOINT: mockUrl,
      AZURE_OPENAI_API_VERSION: '2024-10-21',
      GEMINI_API_KEY: 'gm-test-key-0123456789',
      GEMINI_BASE_URL: `${mockUrl}/v1beta/openai`,
      MISTRAL_API_KEY: 'ms-test-key-0123456789',
      MISTRAL_BASE_URL: `${mockUrl}/mistral/v1`,
      OLLAMA_BASE_URL: `${mockUrl}/ollama/v1`,
      CUSTOM_PROVIDERS: JSON.stringify({ vllm: { base_url: `${mockUrl}/vllm/v1` } }),
    };
    const cases: [string, string, string | undefined][] = [
      ['azure', '/openai/deployments/{name}/embeddings?api-version=2024-10-21', 'azure-secret-123456'],
      ['google', '/v1beta/openai/embeddings', 'Bearer gm-test-key-0123456789'],
      ['mistral', '/mistral/v1/embeddings', 'Bearer ms-test-key-0123456789'],
      ['ollama', '/ollama/v1/embeddings', undefined],
      ['vllm', '/vllm/v1/embeddings', undefined],
    ];
    for (const [provider, path, auth] of cases) {
      const { model, id } = await scenario({}, provider);
      const name = model.slice(provider.length + 1);
      const response = await post({ model, input: fresh(provider), encoding_format: 'base64' }, { env });
      expect(response.status, provider).toBe(200);
      expect(response.headers.get('x-gateway-model')).toBe(model);
      const [sent] = (await mockCalls(id)).requests;
      expect(sent?.url, provider).toBe(path.replace('{name}', name));
      if (auth) expect(sent?.headers['api-key'] ?? sent?.headers['authorization'], provider).toBe(auth);
      expect(sent?.body['encoding_format']).toBe('base64');
    }
  });
});

describe('usage, cost and the cache', () => {
  it('says the upstream’s prompt tokens and their cost at the model’s input rate', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 7 } });
    const prices = JSON.stringify({ [model]: { input: 20, output: 0 } });
    const response = await post({ model, input: fresh('priced') }, { env: { MODEL_PRICES: prices } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-prompt-tokens')).toBe('7');
    expect(response.headers.get('x-gateway-cost-usd')).toBe(String(0.00014));
    expect((await response.json<{ usage: unknown }>()).usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
  });

  it('answers MISS then HIT with one upstream call; the hit costs $0; another encoding is another entry', async () => {
    const { model, id } = await scenario({ usage: { prompt_tokens: 5 } });
    const env = { MODEL_PRICES: JSON.stringify({ [model]: { input: 20, output: 0 } }) };
    const body = { model, input: fresh('cached'), encoding_format: 'base64' };
    const miss = await post(body, { env });
    expect(miss.headers.get('x-gateway-cache')).toBe('MISS');
    expect(miss.headers.get('x-gateway-cost-usd')).toBe(String(0.0001));
    const hit = await post(body, { env });
    expect(hit.headers.get('x-gateway-cache')).toBe('HIT');
    expect(hit.headers.get('x-gateway-cost-usd')).toBe('0');
    expect(hit.headers.get('x-gateway-prompt-tokens')).toBe('0');
    expect(hit.headers.get('x-gateway-attempts')).toBe('0');
    expect(hit.headers.get('age')).toMatch(/^\d+$/);
    expect(await hit.json()).toEqual(await miss.json());
    expect((await mockCalls(id)).count).toBe(1);
    expect((await post({ ...body, encoding_format: 'float' }, { env })).headers.get('x-gateway-cache')).toBe('MISS');
    expect((await mockCalls(id)).count).toBe(2);
  });

  it('obeys the same cache controls as chat: no-cache skips the read, CACHE_MODE=off bypasses it', async () => {
    const { model, id } = await scenario({});
    const body = { model, input: fresh('controls') };
    await post(body);
    expect((await post(body, { headers: { 'cache-control': 'no-cache' } })).headers.get('x-gateway-cache')).toBe('MISS');
    expect((await post(body, { env: { CACHE_MODE: 'off' } })).headers.get('x-gateway-cache')).toBe('BYPASS');
    expect((await mockCalls(id)).count).toBe(3);
  });
});

describe('refusals before any upstream call', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['an unknown field (all of them named)', { input: 'x', mock: {}, temperature: 0 }, 'mock'],
    ['no input', {}, 'input'],
    ['an empty string', { input: '' }, 'input'],
    ['an empty list', { input: [] }, 'input'],
    ['an empty string in a list', { input: ['a', ''] }, 'input[1]'],
    ['a list mixing texts and token lists', { input: ['a', [1, 2]] }, 'input[1]'],
    ['a token id that is not a whole number', { input: [1, 2.5] }, 'input[1]'],
    ['a negative token id in a token list', { input: [[1], [-1]] }, 'input[1][0]'],
    ['an object as input', { input: { text: 'a' } }, 'input'],
    ['more than 2048 inputs', { input: Array.from({ length: 2049 }, () => 'a') }, 'input'],
    ['dimensions 0', { input: 'x', dimensions: 0 }, 'dimensions'],
    ['fractional dimensions', { input: 'x', dimensions: 1.5 }, 'dimensions'],
    ['dimensions as a string', { input: 'x', dimensions: '64' }, 'dimensions'],
    ['an unknown encoding', { input: 'x', encoding_format: 'binary' }, 'encoding_format'],
    ['a user that is not a string', { input: 'x', user: 7 }, 'user'],
  ];
  it.each(bad)('refuses %s with 400 naming the field', async (_, fields, param) => {
    const { model, id } = await scenario({});
    const response = await post({ model, ...fields });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const { error } = await response.json<ErrorJson>();
    expect(error.param).toBe(param);
    expect(error.type).toBe('invalid_request_error');
    if (param === 'mock') expect(error.message).toContain('"mock", "temperature"');
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses a request without a model', async () => {
    const response = await post({ input: 'x' });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorJson>()).error).toMatchObject({ param: 'model', code: 'missing_field' });
  });

  it('refuses a provider without embeddings with 400 naming the providers that have them', async () => {
    for (const model of ['anthropic/claude-sonnet-4-5', 'claude-3-5-haiku-latest', 'groq/llama-3.1-8b-instant']) {
      const response = await post({ model, input: 'x' });
      expect(response.status, model).toBe(400);
      const { error } = await response.json<ErrorJson>();
      expect(error.param).toBe('model');
      expect(error.message).toContain('providers with embeddings: openai, azure, google, mistral, ollama');
    }
  });
});

describe('upstream failures and cancellation', () => {
  it('maps upstream errors as for chat: a 429 keeps its retry hints, a 401 is the gateway’s 502, a 400 keeps its words', async () => {
    const limited = await scenario({ status: 429, headers: { 'retry-after': '3' } });
    const r429 = await post({ model: limited.model, input: 'x' });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('3');
    expect(r429.headers.get('x-should-retry')).toBeNull();
    const denied = await scenario({ status: 401 });
    const r401 = await post({ model: denied.model, input: 'x' });
    expect(r401.status).toBe(502);
    const body = await r401.text();
    expect(body).toContain('upstream_auth_error');
    expect(body).not.toContain('sk-test-upstream-key');
    const refused = await scenario({ status: 400 });
    const r400 = await post({ model: refused.model, input: 'x' });
    expect(r400.status).toBe(400);
    expect(r400.headers.get('x-should-retry')).toBe('false');
  });

  it('aborts the upstream call when the client goes away', async () => {
    const { model, id } = await scenario({ stall: true });
    const controller = new AbortController();
    const pending = post({ model, input: fresh('abandoned') }, { signal: controller.signal });
    await upstreamSaw(id);
    controller.abort();
    await pending.catch(() => undefined);
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });
});

describe('the log line of an embeddings request', () => {
  const log = vi.spyOn(console, 'log');
  afterEach(() => log.mockClear());

  it('shows the model, the tokens, the cost and the cache', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 9 } });
    const response = await post(
      { model, input: fresh('logged') },
      { env: { MODEL_PRICES: JSON.stringify({ [model]: { input: 10, output: 0 } }) } },
    );
    const requestId = response.headers.get('x-request-id');
    const line = log.mock.calls
      .map((c) => String(c[0]))
      .filter((l) => l.includes(`"request_id":"${requestId}"`))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => 'status' in l);
    expect(line).toMatchObject({ route: '/v1/embeddings', status: 200, model, cache: 'MISS', prompt_tokens: 9, cost_usd: 0.00009 });
  });
});
