// A local Workers KV namespace for plain `workerd serve`, which has no KV storage of its own: the gateway's
// `kvNamespace` binding talks KV's internal HTTP protocol to this service, which keeps entries in a
// SQLite-backed Durable Object on local disk (the same design as Miniflare's KV simulator, without its
// dev-server layers). The bench strips the types and runs this file inside workerd; it never runs on Node.
//
// Protocol (what workerd's KV binding sends, as Miniflare's namespace.worker implements it):
//   GET  /<key>?urlencoded=true            value, with CF-Expiration and CF-KV-Metadata headers; 404 if absent
//   PUT  /<key>?expiration_ttl=|expiration= value as the body, metadata in CF-KV-Metadata
//   DELETE /<key>
//   GET  /?prefix=&key_count_limit=&cursor= {keys:[{name, expiration?, metadata?}], list_complete, cursor?}
//   POST /bulk/get  {keys, type?, withMetadata?} → {key: value | {value, metadata} | null}

interface SqlCursor {
  toArray(): Record<string, unknown>[];
}
interface StoreState {
  readonly storage: { readonly sql: { exec(query: string, ...bindings: unknown[]): SqlCursor } };
}
interface StoreStub {
  fetch(request: Request): Promise<Response>;
}
interface ServiceEnv {
  readonly STORE: { idFromName(name: string): unknown; get(id: unknown): StoreStub };
}

const MAX_KEY_BYTES = 512;
const MIN_TTL_SECONDS = 60;
const MAX_LIST_KEYS = 1000;

class KvError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function keyOf(url: URL): string {
  const raw = url.pathname.slice(1);
  const key = url.searchParams.get('urlencoded') === 'true' ? decodeURIComponent(raw) : raw;
  if (key === '' || key === '.' || key === '..') throw new KvError(400, `Illegal key name "${key}".`);
  if (new TextEncoder().encode(key).byteLength > MAX_KEY_BYTES) throw new KvError(414, `Key is longer than ${MAX_KEY_BYTES} bytes.`);
  return key;
}

function expirationOf(url: URL): number | null {
  const ttl = url.searchParams.get('expiration_ttl');
  const at = url.searchParams.get('expiration');
  const now = nowSeconds();
  if (ttl !== null) {
    const seconds = Number(ttl);
    if (!Number.isInteger(seconds) || seconds < MIN_TTL_SECONDS)
      throw new KvError(400, `Invalid expiration_ttl of ${ttl}: at least ${MIN_TTL_SECONDS}.`);
    return now + seconds;
  }
  if (at !== null) {
    const when = Number(at);
    if (!Number.isInteger(when) || when < now + MIN_TTL_SECONDS)
      throw new KvError(400, `Invalid expiration of ${at}: at least ${MIN_TTL_SECONDS} s ahead.`);
    return when;
  }
  return null;
}

/** One KV namespace: a table in the Durable Object's SQLite database. */
export class KvStore {
  readonly #sql: StoreState['storage']['sql'];

  constructor(state: StoreState) {
    this.#sql = state.storage.sql;
    this.#sql.exec('CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, expiration INTEGER, metadata TEXT)');
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === 'POST' && url.pathname === '/bulk/get') return await this.#bulkGet(request);
      if (request.method === 'GET' && url.pathname === '/') return this.#list(url);
      if (request.method === 'GET') return this.#get(keyOf(url));
      if (request.method === 'PUT') return await this.#put(request, url);
      if (request.method === 'DELETE') {
        this.#sql.exec('DELETE FROM entries WHERE key = ?', keyOf(url));
        return new Response(null);
      }
      throw new KvError(405, `Unsupported ${request.method} ${url.pathname}`);
    } catch (error) {
      if (error instanceof KvError) return new Response(error.message, { status: error.status });
      throw error;
    }
  }

  #entry(key: string): { value: ArrayBuffer; expiration: number | null; metadata: string | null } | undefined {
    const row = this.#sql.exec('SELECT value, expiration, metadata FROM entries WHERE key = ?', key).toArray()[0];
    if (!row) return undefined;
    const expiration = typeof row['expiration'] === 'number' ? row['expiration'] : null;
    if (expiration !== null && expiration <= nowSeconds()) {
      this.#sql.exec('DELETE FROM entries WHERE key = ?', key);
      return undefined;
    }
    return { value: row['value'] as ArrayBuffer, expiration, metadata: typeof row['metadata'] === 'string' ? row['metadata'] : null };
  }

  #get(key: string): Response {
    const entry = this.#entry(key);
    if (!entry) return new Response('Not Found', { status: 404 });
    const headers = new Headers();
    if (entry.expiration !== null) headers.set('CF-Expiration', String(entry.expiration));
    if (entry.metadata !== null) headers.set('CF-KV-Metadata', entry.metadata);
    return new Response(entry.value, { headers });
  }

  async #put(request: Request, url: URL): Promise<Response> {
    // The body first: answering before it is read leaves the binding's write waiting forever.
    const value = await request.arrayBuffer();
    const key = keyOf(url);
    const expiration = expirationOf(url);
    this.#sql.exec(
      'INSERT OR REPLACE INTO entries (key, value, expiration, metadata) VALUES (?, ?, ?, ?)',
      key,
      value,
      expiration,
      request.headers.get('CF-KV-Metadata'),
    );
    return new Response(null);
  }

  #list(url: URL): Response {
    const prefix = url.searchParams.get('prefix') ?? '';
    const cursor = url.searchParams.get('cursor') ?? '';
    const limit = Math.min(MAX_LIST_KEYS, Number(url.searchParams.get('key_count_limit') ?? MAX_LIST_KEYS));
    const rows = this.#sql
      .exec(
        'SELECT key, expiration, metadata FROM entries WHERE substr(key, 1, length(?)) = ? AND key > ? AND (expiration IS NULL OR expiration > ?) ORDER BY key LIMIT ?',
        prefix,
        prefix,
        cursor,
        nowSeconds(),
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit);
    const keys = page.map((row) => ({
      name: String(row['key']),
      ...(typeof row['expiration'] === 'number' ? { expiration: row['expiration'] } : {}),
      ...(typeof row['metadata'] === 'string' ? { metadata: row['metadata'] } : {}),
    }));
    const more = rows.length > limit;
    return Response.json({ keys, list_complete: !more, ...(more ? { cursor: keys[keys.length - 1]?.name } : {}), cacheStatus: null });
  }

  async #bulkGet(request: Request): Promise<Response> {
    const body = (await request.json()) as { keys?: unknown; type?: unknown; withMetadata?: unknown };
    if (!Array.isArray(body.keys) || body.keys.length === 0 || body.keys.length > 100)
      throw new KvError(400, 'Bulk get takes 1 to 100 keys.');
    const decoder = new TextDecoder();
    const out: Record<string, unknown> = {};
    for (const key of body.keys) {
      const entry = this.#entry(String(key));
      if (!entry) {
        out[String(key)] = null;
        continue;
      }
      const text = decoder.decode(entry.value);
      const value: unknown = body.type === 'json' ? JSON.parse(text) : text;
      out[String(key)] =
        body.withMetadata === true ? { value, metadata: entry.metadata === null ? null : JSON.parse(entry.metadata) } : value;
    }
    return Response.json(out);
  }
}

/** The service the `kvNamespace` binding points at: every request goes to the namespace's one store object. */
export default {
  fetch(request: Request, env: ServiceEnv): Promise<Response> {
    return env.STORE.get(env.STORE.idFromName('namespace')).fetch(request);
  },
};
