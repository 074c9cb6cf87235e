import { describe, expect, it } from 'vitest';
import { call, chatBody, mockCalls, scenario } from './support/gateway.ts';

type ErrorJson = { error: { message: string; type: string; param: string | null; code: string | null } };
const errorOf = async (response: Response) => (await response.json<ErrorJson>()).error;

describe('bad input gets a clear OpenAI-shaped error', () => {
  it('returns 400 invalid_json for a body that does not parse', async () => {
    const response = await call('/v1/chat/completions', { body: '{"messages": [', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('returns 415 for a body that is not application/json', async () => {
    const response = await call('/v1/chat/completions', {
      body: 'messages=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('unsupported_media_type');
  });

  it('returns 413 for a body over MAX_BODY_BYTES, declared or streamed', async () => {
    const big = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(2000) }] });
    const response = await call('/v1/chat/completions', {
      body: big,
      headers: { 'content-type': 'application/json' },
      env: { MAX_BODY_BYTES: '1000' },
    });
    expect(response.status).toBe(413);
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const streamed = await call('/v1/chat/completions', {
      body: chunked,
      headers: { 'content-type': 'application/json' },
      env: { MAX_BODY_BYTES: '1000' },
    });
    expect(streamed.status).toBe(413);
  });

  it('returns 400 naming the field when messages are missing or wrong, with no upstream call', async () => {
    const { id, body } = chatBody();
    const missing = await call('/v1/chat/completions', { json: { model: 'openai/gpt-4o-mini', mock: body.mock } });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).param).toBe('messages');
    const wrong = await call('/v1/chat/completions', { json: { ...body, messages: [{ content: 'no role' }] } });
    expect((await errorOf(wrong)).param).toBe('messages[0]');
    const badStream = await call('/v1/chat/completions', { json: { ...body, stream: 'yes' } });
    expect((await errorOf(badStream)).param).toBe('stream');
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('returns 404 for an unknown route and 405 with Allow for a wrong method', async () => {
    const missing = await call('/v2/nothing');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('unknown_route');
    const wrong = await call('/v1/chat/completions', { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('returns 400 naming the known providers for an unknown provider', async () => {
    const response = await call('/v1/chat/completions', {
      json: { model: 'nope/some-model', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ param: 'model', code: 'unknown_provider' });
    for (const name of ['openai', 'azure', 'anthropic', 'groq', 'google', 'mistral', 'deepseek']) expect(error.message).toContain(name);
  });

  it('names the secret to set when a provider has no key', async () => {
    const response = await call('/v1/chat/completions', {
      json: { model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe('provider_not_configured');
    expect(error.message).toContain('GROQ_API_KEY');
  });
});

describe('gateway auth', () => {
  it('refuses a request without a key with 401', async () => {
    const response = await call('/v1/models', { key: null });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('missing_api_key');
  });

  it('refuses a wrong key and accepts each configured key', async () => {
    expect((await call('/v1/models', { key: 'gw-test-key-3' })).status).toBe(401);
    expect((await call('/v1/models', { key: 'gw-test-key-1' })).status).toBe(200);
    expect((await call('/v1/models', { key: 'gw-test-key-2' })).status).toBe(200);
  });

  it('refuses everything with a message saying how to configure keys when none are set', async () => {
    const response = await call('/v1/models', { env: { GATEWAY_API_KEYS: '' } });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain('GATEWAY_API_KEYS');
  });

  it('lets anonymous requests through only when ALLOW_ANONYMOUS is "true" and no key is configured', async () => {
    expect((await call('/v1/models', { key: null, env: { GATEWAY_API_KEYS: '', ALLOW_ANONYMOUS: 'true' } })).status).toBe(200);
  });

  it('enforces configured keys whatever ALLOW_ANONYMOUS says, and never takes a wrong or malformed key as none (npm start behaves as deployed)', async () => {
    const withKeys = { ALLOW_ANONYMOUS: 'true' }; // GATEWAY_API_KEYS is set in the test env
    const none = await call('/v1/models', { key: null, env: withKeys });
    expect([none.status, (await errorOf(none)).code]).toEqual([401, 'missing_api_key']);
    const bare = await call('/v1/models', { key: null, env: withKeys, headers: { authorization: 'gw-test-key-1' } });
    expect([bare.status, (await errorOf(bare)).message]).toEqual([
      401,
      'Malformed Authorization header: send "Authorization: Bearer <key>".',
    ]);
    expect((await call('/v1/models', { key: null, env: withKeys, headers: { 'x-api-key': 'gw-test-key-1' } })).status).toBe(401);
    expect((await call('/v1/models', { env: withKeys })).status).toBe(200);
    // No key configured: a call without one is anonymous, but a key the gateway does not know is refused.
    const noKeys = { GATEWAY_API_KEYS: '', ALLOW_ANONYMOUS: 'true' };
    const anything = await call('/v1/models', { key: 'anything', env: noKeys });
    expect([anything.status, (await errorOf(anything)).code]).toEqual([401, 'invalid_api_key']);
  });

  it('accepts ?access_token= on GET /stream only', async () => {
    const stream = await call('/stream?prompt=hi&access_token=gw-test-key-1', { key: null });
    expect(stream.status).toBe(200);
    await stream.text();
    expect((await call('/v1/models?access_token=gw-test-key-1', { key: null })).status).toBe(401);
    // POST /stream can send a header like any fetch: the token in the URL (and in logs, history, referrers) is refused there.
    const { id, model } = await scenario({});
    const post = await call('/stream?access_token=gw-test-key-1', { key: null, json: { prompt: 'hi', model } });
    expect(post.status).toBe(401);
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('refuses anonymous calls from a page whose origin is not allowed, even without a preflight (npm start must not be open to every website)', async () => {
    const env = { GATEWAY_API_KEYS: '', ALLOW_ANONYMOUS: 'true', ALLOWED_ORIGINS: 'http://localhost:8787' };
    const { id } = await scenario({});
    const fromEvil = await call(`/stream?prompt=hi&model=openai/scenario-${id}`, {
      key: null,
      env,
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(fromEvil.status).toBe(403);
    const imageTag = await call(`/stream?prompt=hi&model=openai/scenario-${id}`, {
      key: null,
      env,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(imageTag.status).toBe(403);
    expect((await mockCalls(id)).count).toBe(0);
    const fromLocalhost = await call('/chat', { key: null, env, json: { prompt: 'hi' }, headers: { origin: 'http://localhost:8787' } });
    expect(fromLocalhost.status).toBe(200);
    expect((await call('/chat', { key: null, env, json: { prompt: 'hi' } })).status).toBe(200);
    // The gateway's own playground, served on whatever port it runs (its page is the request's own origin).
    const ownPage = { referer: 'http://gateway.test/', 'sec-fetch-site': 'same-origin' };
    expect((await call('/v1/models', { key: null, env, headers: ownPage })).status).toBe(200);
  });

  it('serves /health without a key', async () => {
    const response = await call('/health', { key: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('CORS', () => {
  const preflight = (origin: string, env: Record<string, string>) =>
    call('/v1/chat/completions', {
      method: 'OPTIONS',
      key: null,
      env,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });

  it('answers a preflight from an allowed origin with 204 and the allowed headers', async () => {
    const response = await preflight('https://app.example', { ALLOWED_ORIGINS: 'https://app.example, https://other.example' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
  });

  it('lets a page on an allowed origin read the usage, cost and rate-limit headers of an answer', async () => {
    const response = await call('/chat', {
      json: { prompt: 'Hi' },
      headers: { origin: 'https://app.example' },
      env: { ALLOWED_ORIGINS: 'https://app.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-cost-usd')).not.toBeNull();
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(', ');
    for (const header of ['x-gateway-prompt-tokens', 'x-gateway-completion-tokens', 'x-gateway-cost-usd', 'x-ratelimit-remaining-requests'])
      expect(exposed).toContain(header);
  });

  it('refuses a preflight from an origin not in ALLOWED_ORIGINS', async () => {
    const response = await preflight('https://evil.example', { ALLOWED_ORIGINS: 'https://app.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows any origin with *, and adds CORS headers to actual responses and errors', async () => {
    expect((await preflight('https://any.example', { ALLOWED_ORIGINS: '*' })).headers.get('access-control-allow-origin')).toBe('*');
    const response = await call('/v1/models', {
      key: null,
      headers: { origin: 'https://app.example' },
      env: { ALLOWED_ORIGINS: 'https://app.example' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('configuration', () => {
  it('gives a 500 config_error naming MODEL_ALIASES when it is not JSON', async () => {
    const response = await call('/v1/models', { env: { MODEL_ALIASES: '{not json' } });
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe('config_error');
    expect(error.message).toContain('MODEL_ALIASES');
  });

  it('gives a 500 config_error naming DEFAULT_PROVIDER when it is unknown', async () => {
    const response = await call('/v1/models', { env: { DEFAULT_PROVIDER: 'skynet' } });
    expect(response.status).toBe(500);
    expect((await errorOf(response)).message).toContain('DEFAULT_PROVIDER');
  });

  it('resolves aliases, bare names and the default model', async () => {
    const env = { MODEL_ALIASES: JSON.stringify({ fast: 'openai/gpt-4.1-nano' }), DEFAULT_MODEL: 'openai/gpt-4o' };
    const viaAlias = await call('/chat', { json: { prompt: 'hi', model: 'fast' }, env });
    expect(viaAlias.headers.get('x-gateway-model')).toBe('openai/gpt-4.1-nano');
    const bare = await call('/chat', { json: { prompt: 'hi', model: 'gpt-4.1' }, env });
    expect(bare.headers.get('x-gateway-model')).toBe('openai/gpt-4.1');
    const none = await call('/chat', { json: { prompt: 'hi' }, env });
    expect(none.headers.get('x-gateway-model')).toBe('openai/gpt-4o');
  });

  it('lists the default model and aliases first on /v1/models, then the configured providers’ models', async () => {
    const response = await call('/v1/models', { env: { MODEL_ALIASES: JSON.stringify({ fast: 'groq/llama-3.1-8b-instant' }) } });
    const { data } = await response.json<{ data: { id: string; owned_by: string }[] }>();
    expect(data.slice(0, 2).map((m) => m.id)).toEqual(['openai/gpt-4o-mini', 'fast']);
    expect(data[1]?.owned_by).toBe('alias of groq/llama-3.1-8b-instant');
    expect(data.slice(2).every((m) => m.id.startsWith('openai/') && m.owned_by === 'openai')).toBe(true);
  });

  it('calls Azure OpenAI with the deployment URL, api-key header and api-version', async () => {
    const { mockUrl } = await import('./support/gateway.ts');
    const { id, body } = chatBody();
    const env = { AZURE_OPENAI_API_KEY: 'azure-secret-123456', AZURE_OPENAI_ENDPOINT: mockUrl, AZURE_OPENAI_API_VERSION: '2024-10-21' };
    const response = await call('/v1/chat/completions', { json: { ...body, model: 'azure/my-deployment' }, env });
    expect(response.status).toBe(200);
    const seen = (await mockCalls(id)).requests[0];
    expect(seen?.url).toBe('/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    expect(seen?.headers['api-key']).toBe('azure-secret-123456');
  });
});

describe('observability', () => {
  it('returns a request id on every response, errors included', async () => {
    const response = await call('/nowhere');
    expect(response.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });
});

describe('x-should-retry tells clients when a retry cannot help', () => {
  it('is "false" on every error class no retry fixes, and absent where one may', async () => {
    const falseOn: [string, Parameters<typeof call>[1]][] = [
      [
        'a provider without its key (500 provider_not_configured)',
        { json: { model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] } },
      ],
      ['an unknown provider (400)', { json: { model: 'nope/x', messages: [{ role: 'user', content: 'hi' }] } }],
      ['a wrongly typed field (400)', { json: { messages: [{ role: 'user', content: 'hi' }], max_tokens: '100' } }],
      [
        'a bad configuration value (500 config_error)',
        { json: { messages: [{ role: 'user', content: 'hi' }] }, env: { MAX_ATTEMPTS: 'lots' } },
      ],
      ['no key (401)', { key: null, json: { messages: [{ role: 'user', content: 'hi' }] } }],
      ['a body too deep (400)', { body: `${'['.repeat(100)}${']'.repeat(100)}`, headers: { 'content-type': 'application/json' } }],
    ];
    for (const [what, options] of falseOn) {
      const response = await call('/v1/chat/completions', options);
      expect(response.status, what).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('x-should-retry'), what).toBe('false');
    }
    const { body } = chatBody({ status: 429, headers: { 'retry-after': '1' } });
    const limited = await call('/v1/chat/completions', { json: body, headers: { 'x-gateway-max-attempts': '1' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-should-retry')).toBeNull();
  });
});
