import { beforeAll, describe, expect, it } from 'vitest';
import { call, mockCalls, scenario } from './support/gateway.ts';
import { warmUpLimits } from './support/limits.ts';

// Issue 23, finding 6: a key bound to origins was refused only for a foreign `Origin` header, and only on the
// model routes. A browser sends no `Origin` on an <img>, an EventSource or a plain GET, but it does send
// `Referer` (unless the page withholds it) and `Sec-Fetch-Site`; an `<img src=…/stream?access_token=…>` got 200,
// and /v1/usage, /v1/models and /v1/tokens/count never checked the origin at all.
beforeAll(warmUpLimits, 120_000);
const ADMIN_TOKEN = 'adm-origin-test-token-0123456789';
const env = { ADMIN_TOKEN };
const APP = 'https://app.example.com';

async function boundKey(): Promise<string> {
  const response = await call('/admin/keys', { key: ADMIN_TOKEN, json: { name: 'origin test', origins: [APP] }, env });
  expect(response.status).toBe(201);
  return (await response.json<{ key: string }>()).key;
}

interface Route {
  name: string;
  send: (key: string, headers: Record<string, string>, model: string) => Promise<Response>;
}

const messages = [{ role: 'user', content: 'hi' }];
/** Every route a key can call. */
const ROUTES: readonly Route[] = [
  { name: 'GET /v1/models', send: (key, headers) => call('/v1/models', { key, headers }) },
  { name: 'GET /v1/models/:id', send: (key, headers) => call('/v1/models/openai/gpt-4o-mini', { key, headers }) },
  { name: 'POST /v1/tokens/count', send: (key, headers, model) => call('/v1/tokens/count', { key, headers, json: { model, messages } }) },
  { name: 'GET /v1/usage', send: (key, headers) => call('/v1/usage', { key, headers }) },
  {
    name: 'POST /v1/chat/completions',
    send: (key, headers, model) => call('/v1/chat/completions', { key, headers, json: { model, messages } }),
  },
  { name: 'POST /v1/embeddings', send: (key, headers, model) => call('/v1/embeddings', { key, headers, json: { model, input: 'hi' } }) },
  {
    name: 'POST /v1/responses',
    send: (key, headers, model) => call('/v1/responses', { key, headers, json: { model, input: 'hi' } }),
  },
  { name: 'POST /chat', send: (key, headers, model) => call('/chat', { key, headers, json: { model, prompt: 'hi' } }) },
  { name: 'POST /stream', send: (key, headers, model) => call('/stream', { key, headers, json: { model, prompt: 'hi' } }) },
  {
    name: 'GET /stream?access_token=',
    send: (key, headers, model) =>
      call(`/stream?${new URLSearchParams({ prompt: 'hi', model, access_token: key })}`, { key: null, headers }),
  },
  {
    name: 'POST /extract',
    send: (key, headers, model) =>
      call('/extract', {
        key,
        headers,
        json: { model, text: 'Ada', schema: { type: 'object', properties: { name: { type: 'string' } } } },
      }),
  },
];

/** What a browser sends from a page of another site that names itself only one way, or not at all. */
const FOREIGN: Readonly<Record<string, Record<string, string>>> = {
  'Sec-Fetch-Site: cross-site, no Origin, no Referer': { 'sec-fetch-site': 'cross-site' },
  'Sec-Fetch-Site: same-site, no Origin, no Referer': { 'sec-fetch-site': 'same-site' },
  'a foreign Referer, no Origin': { referer: 'https://evil.example/page.html', 'sec-fetch-site': 'cross-site' },
  'a foreign Referer alone (no Sec-Fetch-Site: an older browser)': { referer: 'https://evil.example/' },
  'a foreign Origin': { origin: 'https://evil.example' },
};

describe('a key bound to origins, on every route a key can call', () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))(
    '%s: 403 origin_not_allowed from a foreign page however it names itself, with no upstream call',
    async (_name, route) => {
      const key = await boundKey();
      for (const [how, headers] of Object.entries(FOREIGN)) {
        const { model, id } = await scenario({});
        const response = await route.send(key, headers, model);
        const body = await response.text();
        // GET /stream from an EventSource gets its error as an event; these requests do not ask for one.
        expect(response.status, `${how}: ${body.slice(0, 200)}`).toBe(403);
        expect(JSON.parse(body).error.code, how).toBe('origin_not_allowed');
        expect((await mockCalls(id)).count, `upstream calls, ${how}`).toBe(0);
      }
    },
  );

  it.each(ROUTES.map((r) => [r.name, r] as const))(
    '%s: answers its own page (by Origin or by Referer) and a server that sends none of these headers',
    async (_name, route) => {
      const key = await boundKey();
      const allowed: Record<string, Record<string, string>> = {
        'its Origin': { origin: APP, 'sec-fetch-site': 'cross-site' },
        'its Referer, no Origin': { referer: `${APP}/chat?x=1`, 'sec-fetch-site': 'cross-site' },
        // A server (curl, a backend) sends none of them; it could send any, so they cannot bind it (docs/keys-and-budgets.md, "Keys for a browser").
        'no Origin, Referer or Sec-Fetch-Site': {},
      };
      for (const [how, headers] of Object.entries(allowed)) {
        const { model } = await scenario({});
        const response = await route.send(key, headers, model);
        expect(response.status, `${how}: ${(await response.text()).slice(0, 200)}`).toBe(200);
      }
    },
  );

  it('the <img src=…/stream?access_token=…> of another site is refused', async () => {
    const key = await boundKey();
    const { model, id } = await scenario({});
    const response = await call(`/stream?${new URLSearchParams({ prompt: 'hi', model, access_token: key })}`, {
      key: null,
      headers: {
        accept: 'image/avif,image/webp,*/*',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-dest': 'image',
        'sec-fetch-mode': 'no-cors',
      },
    });
    expect(response.status).toBe(403);
    expect((await response.json<{ error: { code: string; message: string } }>()).error).toMatchObject({
      code: 'origin_not_allowed',
      message: expect.stringContaining('withheld its origin'),
    });
    expect((await mockCalls(id)).count).toBe(0);
  });
});
