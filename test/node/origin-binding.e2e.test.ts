import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Issue 23, finding 6, over real HTTP against the gateway in wrangler's runtime with its Durable Objects: a key
// bound to https://app.example.com, used by another site's page. An `<img src=…/stream?access_token=…>` sends no
// Origin, only Sec-Fetch-Site and (unless withheld) Referer; it got 200. Headers are sent raw, as a browser does.
const ADMIN_TOKEN = 'e2e-origin-admin-token-0123456789';
const APP = 'https://app.example.com';

/** One request with exactly these headers; the status and the body as text. */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const { hostname, port } = new URL(base);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path,
        agent: false,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What a browser sends for `<img src>` from a page of another site (the Referer only when the page does not withhold it). */
const imgFrom = (referer: string | null): Record<string, string> => ({
  accept: 'image/avif,image/webp,image/apng,*/*;q=0.8',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'no-cors',
  'sec-fetch-dest': 'image',
  ...(referer === null ? {} : { referer }),
});

describe('a key bound to an origin, used from another site over real HTTP', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let key: string;

  beforeAll(async () => {
    gateway = await startGateway({ ADMIN_TOKEN });
    const created = await raw(
      gateway.url,
      'POST',
      '/admin/keys',
      { authorization: `Bearer ${ADMIN_TOKEN}` },
      JSON.stringify({ name: 'bound', origins: [APP] }),
    );
    expect(created.status, created.body).toBe(201);
    key = JSON.parse(created.body).key;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const streamPath = (model: string) => `/stream?${new URLSearchParams({ prompt: 'hi', model, access_token: key })}`;

  it('refuses <img src=…/stream?access_token=…> on another site, with or without its Referer, before any upstream call', async () => {
    for (const referer of ['https://evil.example/page.html', null]) {
      const { model, id } = await scenario();
      const response = await raw(gateway.url, 'GET', streamPath(model), imgFrom(referer));
      expect(response.status, `Referer ${referer}: ${response.body.slice(0, 200)}`).toBe(403);
      expect(JSON.parse(response.body).error.code).toBe('origin_not_allowed');
      expect((await mockCalls(id)).count).toBe(0);
    }
  });

  it('refuses /v1/usage, /v1/models and /v1/tokens/count from another site', async () => {
    const foreign = { referer: 'https://evil.example/', 'sec-fetch-site': 'cross-site' };
    const auth = { authorization: `Bearer ${key}` };
    const answers = [
      await raw(gateway.url, 'GET', '/v1/usage', { ...auth, ...foreign }),
      await raw(gateway.url, 'GET', '/v1/models', { ...auth, 'sec-fetch-site': 'same-site' }),
      await raw(
        gateway.url,
        'POST',
        '/v1/tokens/count',
        { ...auth, origin: 'https://evil.example' },
        JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      ),
    ];
    for (const response of answers) {
      expect(response.status, response.body.slice(0, 200)).toBe(403);
      expect(JSON.parse(response.body).error.code).toBe('origin_not_allowed');
    }
  });

  it('answers its own page (Referer on the bound origin), and a server that sends none of these headers', async () => {
    const own = await scenario();
    const fromPage = await raw(gateway.url, 'GET', streamPath(own.model), imgFrom(`${APP}/chat`));
    expect(fromPage.status, fromPage.body.slice(0, 200)).toBe(200);
    expect((await mockCalls(own.id)).count).toBe(1);
    const server = await scenario();
    const fromServer = await raw(gateway.url, 'GET', streamPath(server.model), {});
    expect(fromServer.status, fromServer.body.slice(0, 200)).toBe(200);
    expect((await mockCalls(server.id)).count).toBe(1);
    const usage = await raw(gateway.url, 'GET', '/v1/usage', { authorization: `Bearer ${key}` });
    expect(usage.status, usage.body.slice(0, 200)).toBe(200);
  });
});
