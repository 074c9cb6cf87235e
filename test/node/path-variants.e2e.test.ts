import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bench/bundle.ts';
import { GATEWAY_KEY } from '../../bench/requests.ts';
import { startGateway, type GatewayServer } from '../../bench/servers.ts';
import { readWranglerFacts } from '../../bench/wrangler-config.ts';
import { mockUrl } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Issue 9: no path variant of a protected route may skip the key check. Sent over real HTTP, raw (node:http
// does not normalise dot segments the way fetch does), to the production bundle in plain workerd with
// GATEWAY_API_KEYS set, WITHOUT a key: never a 2xx, and the mock upstream sees zero calls for the scenario
// each request names. Variants that resolve to the exact route once the URL is parsed must be a 401: workerd
// parses the request target before the Worker sees it, so a dot segment (`/./`, `/x/../`, `/%2e/`) or a backslash
// is already resolved in `request.url` (`/admin/./keys` arrives as `/admin/keys`). Not a bypass: the one route
// match, and the guard it decides, run on that resolved path (issue 23: the README said no dot-segment variant
// matches, which was wrong).

interface Route {
  path: string;
  methods: readonly string[];
  /** A request body naming the scenario's model, so an upstream call it causes is counted for it. */
  body: (model: string, id: string) => Record<string, unknown>;
  /** Query for GET requests (GET /stream takes its input there). */
  /** GET /stream's input as `key=value&…` (it takes its input from the query). */
  query?: (model: string) => string;
}

const messages = [{ role: 'user', content: 'hi' }];
const ROUTES: readonly Route[] = [
  { path: '/v1/chat/completions', methods: ['POST'], body: (model, id) => ({ model, messages, mock: { id } }) },
  { path: '/v1/models', methods: ['GET'], body: (model) => ({ model }) },
  { path: '/chat', methods: ['POST'], body: (model) => ({ model, prompt: 'hi' }) },
  {
    path: '/stream',
    methods: ['GET', 'POST'],
    body: (model) => ({ model, prompt: 'hi' }),
    query: (model) => `prompt=hi&model=${encodeURIComponent(model)}`,
  },
  {
    path: '/extract',
    methods: ['POST'],
    body: (model) => ({ model, text: 'Ada', schema: { type: 'object', properties: { name: { type: 'string' } } } }),
  },
  // Anthropic's Messages API (issue 21): its key may also come as x-api-key, which these requests do not send either.
  { path: '/v1/messages', methods: ['POST'], body: (model) => ({ model, max_tokens: 5, messages }) },
  { path: '/v1/messages/count_tokens', methods: ['POST'], body: (model) => ({ model, messages }) },
  // OpenAI's Responses API (issue 21).
  { path: '/v1/responses', methods: ['POST'], body: (model) => ({ model, input: 'hi' }) },
  // Stored responses (issue 21): a key reads only its own, so none without a key.
  { path: '/v1/responses/resp_1', methods: ['GET', 'DELETE'], body: (model) => ({ model }) },
  { path: '/v1/responses/resp_1/input_items', methods: ['GET'], body: (model) => ({ model }) },
  // Coming with this wave; a 404 is fine until they are served.
  { path: '/v1/tokens/count', methods: ['POST'], body: (model) => ({ model, messages }) },
  { path: '/v1/usage', methods: ['GET'], body: (model) => ({ model }) },
  { path: '/admin/keys', methods: ['GET', 'POST'], body: (model) => ({ name: 'x', model }) },
  { path: '/admin/logs', methods: ['GET'], body: (model) => ({ model }) },
  { path: '/admin/stats', methods: ['GET'], body: (model) => ({ model }) },
];

/** A path variant: how to spell it (null: does not apply to this path), and whether a URL parser resolves it to the exact route. */
interface Variant {
  name: string;
  target: (path: string) => string | null;
  resolvesToRoute: boolean;
}

const lastSegmentStart = (path: string) => path.lastIndexOf('/') + 1;
const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
const VARIANTS: readonly Variant[] = [
  { name: 'exact', target: (p) => p, resolvesToRoute: true },
  { name: 'trailing slash', target: (p) => `${p}/`, resolvesToRoute: false },
  { name: 'two trailing slashes', target: (p) => `${p}//`, resolvesToRoute: false },
  { name: 'leading double slash', target: (p) => `/${p}`, resolvesToRoute: false },
  {
    name: 'doubled inner slash',
    target: (p) => (p.indexOf('/', 1) > 0 ? `${p.slice(0, p.indexOf('/', 1))}/${p.slice(p.indexOf('/', 1))}` : null),
    resolvesToRoute: false,
  },
  { name: 'upper case', target: (p) => p.toUpperCase(), resolvesToRoute: false },
  {
    name: 'one capital letter',
    target: (p) => `${p.slice(0, lastSegmentStart(p))}${p.charAt(lastSegmentStart(p)).toUpperCase()}${p.slice(lastSegmentStart(p) + 1)}`,
    resolvesToRoute: false,
  },
  {
    name: 'percent-encoded letter',
    target: (p) => `${p.slice(0, lastSegmentStart(p))}${hex(p.charAt(lastSegmentStart(p)))}${p.slice(lastSegmentStart(p) + 1)}`,
    resolvesToRoute: false,
  },
  {
    name: 'percent-encoded slash %2F',
    target: (p) => `${p.slice(0, lastSegmentStart(p) - 1)}${p.lastIndexOf('/') === 0 ? '/' : ''}%2F${p.slice(lastSegmentStart(p))}`,
    resolvesToRoute: false,
  },
  { name: 'percent-encoded slash %2f at the end', target: (p) => `${p}%2f`, resolvesToRoute: false },
  { name: 'dot segment /./', target: (p) => `${p.slice(0, lastSegmentStart(p))}./${p.slice(lastSegmentStart(p))}`, resolvesToRoute: true },
  {
    name: 'dot-dot segment /x/../',
    target: (p) => `${p.slice(0, lastSegmentStart(p))}x/../${p.slice(lastSegmentStart(p))}`,
    resolvesToRoute: true,
  },
  {
    name: 'percent-encoded dot segment /%2e/',
    target: (p) => `${p.slice(0, lastSegmentStart(p))}%2e/${p.slice(lastSegmentStart(p))}`,
    resolvesToRoute: true,
  },
  { name: 'trailing /.', target: (p) => `${p}/.`, resolvesToRoute: false },
  { name: 'dot-dot leaving a trailing slash', target: (p) => `${p}//x/..`, resolvesToRoute: false },
  { name: 'backslashes', target: (p) => p.replaceAll('/', '\\').replace(/^\\/, '/'), resolvesToRoute: true },
  { name: 'query string', target: (p) => `${p}?x=1`, resolvesToRoute: true },
  { name: 'fragment', target: (p) => `${p}#frag`, resolvesToRoute: true },
  { name: 'semicolon parameter', target: (p) => `${p};x=1`, resolvesToRoute: false },
  { name: 'encoded NUL at the end', target: (p) => `${p}%00`, resolvesToRoute: false },
];

/** Methods tried on the exact path and on the trailing-slash variant, besides the route's own. */
const ODD_METHODS = ['HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'PROPFIND', 'FOO'];
const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

interface RawResponse {
  /** 0: the server closed the connection without an answer. */
  status: number;
  body: string;
}

/** One request sent byte for byte as given (node:http does not touch the request target). */
function raw(baseUrl: string, method: string, target: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path: target,
        agent: false,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

/** Adds GET /stream's input to a target that may already have a query or a fragment. */
function withQuery(target: string, query: string): string {
  const [beforeHash = '', hash] = target.split('#');
  return `${beforeHash}${beforeHash.includes('?') ? '&' : '?'}${query}${hash === undefined ? '' : `#${hash}`}`;
}

interface Row {
  route: Route;
  method: string;
  variant: Variant;
  target: string;
}

const rows: Row[] = [];
const add = (route: Route, method: string, variant: Variant) => {
  const target = variant.target(route.path);
  if (target !== null) rows.push({ route, method, variant, target });
};
for (const route of ROUTES) {
  for (const method of route.methods) for (const variant of VARIANTS) add(route, method, variant);
  const wrong = route.methods.includes('GET') ? (route.methods.includes('POST') ? [] : ['POST']) : ['GET'];
  for (const method of [...wrong, ...ODD_METHODS]) for (const variant of VARIANTS.slice(0, 2)) add(route, method, variant);
}

describe('path variants of protected routes, without a key, against the production bundle', () => {
  let dir: string;
  let gateway: GatewayServer;
  /** Whether each route is served: its exact path answers 401 without a key (404: not yet). */
  const served = new Map<string, boolean>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-paths-'));
    const bundle = await buildBundle('wrangler.toml', join(dir, 'dist'));
    gateway = await startGateway({ bundle, facts: readWranglerFacts('wrangler.toml'), mockUrl, workDir: join(dir, 'run') });
    for (const route of ROUTES) {
      const method = route.methods[0]!;
      const { status } = await raw(gateway.url, method, route.path, {}, NO_BODY.has(method) ? undefined : '{}');
      expect([401, 403, 404], `${method} ${route.path} without a key`).toContain(status);
      served.set(route.path, status !== 404);
    }
  });
  afterAll(async () => {
    await gateway?.workerd.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts upstream calls for every kind of route body (the zero counts below mean something)', async () => {
    for (const route of ROUTES.filter((r) =>
      ['/v1/chat/completions', '/chat', '/stream', '/extract', '/v1/messages', '/v1/responses'].includes(r.path),
    )) {
      const { model, id } = await scenario();
      const response = await raw(
        gateway.url,
        'POST',
        route.path,
        { authorization: `Bearer ${GATEWAY_KEY}` },
        JSON.stringify(route.body(model, id)),
      );
      expect(response.status, `POST ${route.path} with the key: ${response.body.slice(0, 300)}`).toBe(200);
      expect((await mockCalls(id)).count, `upstream calls of POST ${route.path} with the key`).toBeGreaterThan(0);
    }
  });

  it('resolves dot segments before the route match: with the key, /v1/./models and /v1/x/../models are /v1/models', async () => {
    for (const target of ['/v1/./models', '/v1/x/../models', '/v1/%2e/models']) {
      const response = await raw(gateway.url, 'GET', target, { authorization: `Bearer ${GATEWAY_KEY}` });
      expect(response.status, `GET ${target}: ${response.body.slice(0, 200)}`).toBe(200);
      expect(JSON.parse(response.body).object, target).toBe('list');
    }
  });

  it('keeps /health public', async () => {
    expect((await raw(gateway.url, 'GET', '/health', {})).status).toBe(200);
  });

  it.concurrent.each(rows.map((row) => [`${row.method} ${row.target} (${row.route.path}, ${row.variant.name})`, row] as const))(
    '%s: never 2xx, no upstream call',
    async (_name, { route, method, variant, target: path }) => {
      const { model, id } = await scenario();
      const target = method === 'GET' && route.query ? withQuery(path, route.query(model)) : path;
      const body = NO_BODY.has(method) ? undefined : JSON.stringify(route.body(model, id));
      const response = await raw(gateway.url, method, target, {}, body);
      const what = `${method} ${target} → ${response.status} ${response.body.slice(0, 200)}`;
      expect(response.status >= 200 && response.status < 300, what).toBe(false);
      expect((await mockCalls(id)).count, `upstream calls of ${what}`).toBe(0);
      if (variant.resolvesToRoute && route.methods.includes(method) && served.get(route.path)) expect(response.status, what).toBe(401);
    },
  );
});
