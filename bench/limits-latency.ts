// What the Durable Object check of "Keys, limits and budgets" adds to a request (issue 13): the production bundle
// (`wrangler deploy --dry-run --env production`, minified) in plain `workerd serve` with local Durable Objects,
// the project's mock as the upstream, three kinds of caller measured side by side in one run:
//   static        a GATEWAY_API_KEYS key, no KEY_* limit: no Durable Object call at all
//   static+limit  a GATEWAY_API_KEYS key with KEY_REQUESTS_PER_MINUTE set (never reached): a reserve and a settle
//   managed       a `gk_` key minted through POST /admin/keys, with limits: a lookup, a reserve and a settle
// The two limited callers run twice: Durable Objects on the local disk (every write synced before the answer, as
// the output gate holds it) and on tmpfs (/shm: the same SQLite work, the sync free), to tell the two costs apart.
// Non-stream POST /v1/chat/completions at concurrency 1 (interleaved request by request, p50/p95) and at
// concurrency 16 (interleaved rounds, requests/s). Writes bench/limits-results.json and prints a table.
//
//   npx node --disable-warning=ExperimentalWarning bench/limits-latency.ts [--requests 300] [--warmup 50] [--seconds 4] [--rounds 3] [--connections 16] [--gap-ms 30]
import autocannon from 'autocannon';
import { mkdirSync, mkdtempSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { limitsWorkerdConfig, storageDirs, type LimitsService } from './limits-workerd-config.ts';
import { startMock } from './mock-process.ts';
import { PROJECT_ROOT } from './source.ts';
import { readWranglerFacts } from './wrangler-config.ts';
import { startWorkerd } from './workerd-process.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    'gap-ms': { type: 'string', default: '30' },
  },
});
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const GAP_MS = Number(args['gap-ms']);

const ENV = 'production';
// tmpfs: SQLite's sync is free there, so the /shm callers show the Durable Object call without the disk.
const SHM = '/dev/shm';
const STATIC_KEY = 'limits-bench-static-key';
const UPSTREAM_KEY = 'sk-limits-bench';
const ADMIN_TOKEN = 'limits-bench-admin-token';
// Far above anything a run sends in a minute, so no request is refused: the figure is the check, not a refusal.
const REQUESTS_PER_MINUTE = 1_000_000;
// No temperature: not cacheable, so every request reaches the budget stage and the mock.
const BODY = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

interface Caller {
  readonly name: string;
  readonly service: string;
  readonly url: string;
  readonly key: string;
  /** Durable Object calls on the request's path (the settle runs after the response, in waitUntil). */
  readonly objectCalls: string;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

function summary(latencies: readonly number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round3(percentile(sorted, 50)),
    p95: round3(percentile(sorted, 95)),
    p99: round3(percentile(sorted, 99)),
    mean: round3(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

// One keep-alive connection per caller and node:http rather than fetch: fetch's own overhead (several ms on a busy
// machine) would blur the sub-millisecond differences this bench is after.
const agents = new Map<string, Agent>();

/** One request; fails loudly on anything but a 200 chat completion that missed the cache. */
async function call(caller: Caller): Promise<{ ms: number; headers: IncomingHttpHeaders }> {
  let agent = agents.get(caller.name);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.set(caller.name, agent);
  }
  const started = performance.now();
  const { status, headers, text } = await new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = request(
      `${caller.url}/v1/chat/completions`,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
  const ms = performance.now() - started;
  if (status !== 200 || !text.includes('"choices"')) throw new Error(`${caller.name}: status ${status}: ${text.slice(0, 300)}`);
  if (headers['x-gateway-cache'] === 'HIT') throw new Error(`${caller.name}: a cache hit would skip the budget stage.`);
  return { ms, headers };
}

/**
 * Concurrency 1, request by request in turn (the first caller rotates), so drift and noise fall on all alike.
 * A pause after each request lets the settle it left in waitUntil land first: otherwise a limited caller's settle
 * (a synced write) would run during the next caller's request and be counted against it.
 */
async function sequential(callers: readonly Caller[], perCaller: number): Promise<Record<string, number[]>> {
  const out = Object.fromEntries(callers.map((c) => [c.name, [] as number[]])) as Record<string, number[]>;
  for (let i = 0; i < perCaller; i++) {
    for (let j = 0; j < callers.length; j++) {
      const caller = callers[(i + j) % callers.length]!;
      out[caller.name]!.push((await call(caller)).ms);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
  }
  return out;
}

/** Closed-loop load at `connections` for `seconds` with autocannon; requests/s over the run. */
async function load(caller: Caller, seconds: number): Promise<{ rps: number; failures: number; p50: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${caller.url}/v1/chat/completions`,
        method: 'POST',
        headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json' },
        body: BODY,
        connections: CONNECTIONS,
        pipelining: 1,
        timeout: 10,
        duration: seconds,
      },
      (error: unknown, r: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => (status === 200 ? latencies.push(ms) : failures++));
    instance.on('reqError', () => failures++);
  });
  return { rps: Math.round((latencies.length / (result.duration || seconds)) * 10) / 10, failures, p50: round3(median(latencies)) };
}

/** Mints a managed key with every limit set (none ever reached) through the admin API of a service. */
async function mintKey(baseUrl: string, stderr: () => string): Promise<string> {
  const minted = await fetch(`${baseUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'limits-bench',
      requests_per_minute: REQUESTS_PER_MINUTE,
      tokens_per_day: 1_000_000_000_000,
      usd_per_day: 1_000_000,
      usd_per_month: 1_000_000,
      models: ['openai/*'],
    }),
  });
  const record = (await minted.json()) as { key?: string };
  if (minted.status !== 201 || !record.key?.startsWith('gk_'))
    throw new Error(`POST ${baseUrl}/admin/keys: ${minted.status} ${JSON.stringify(record)}\n${stderr()}`);
  return record.key;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'limits-bench-'));
  removeOnExit(dir);
  const configPath = join(PROJECT_ROOT, 'wrangler.toml');
  const bundle = await buildBundle(configPath, join(dir, 'dist'), ENV);
  const facts = readWranglerFacts(configPath, ENV);
  const mock = await startMock();

  const work = join(dir, 'run');
  mkdirSync(join(work, 'modules'), { recursive: true });
  const modules = bundle.modules.map((m) => {
    copyFileSync(m.path, join(work, 'modules', m.name));
    return { ...m, path: `modules/${m.name}` };
  });
  const kvSource = readFileSync(new URL('./kv-service.worker.ts', import.meta.url), 'utf8');
  writeFileSync(join(work, 'kv-service.js'), stripTypeScriptTypes(kvSource, { mode: 'strip' }));
  const common = {
    ...facts.text,
    OPENAI_BASE_URL: `${mock.url}/v1`,
    OPENAI_API_KEY: UPSTREAM_KEY,
    GATEWAY_API_KEYS: STATIC_KEY,
    ALLOW_ANONYMOUS: 'false',
  };
  const shm = mkdtempSync(join(SHM, 'limits-bench-'));
  removeOnExit(shm);
  const storageDir = join(work, 'storage');
  const limitedText = { ...common, KEY_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE) };
  const services: LimitsService[] = [
    { name: 'plain', text: { ...common, ADMIN_TOKEN }, durableObjectDir: join(storageDir, 'plain-do') },
    { name: 'limited', text: limitedText, durableObjectDir: join(storageDir, 'limited-do') },
    { name: 'plain-shm', text: { ...common, ADMIN_TOKEN }, durableObjectDir: join(shm, 'plain-do') },
    { name: 'limited-shm', text: limitedText, durableObjectDir: join(shm, 'limited-do') },
  ];
  for (const d of storageDirs({ services, kvNamespaces: facts.kvNamespaces, storageDir })) mkdirSync(d, { recursive: true });
  const configFile = join(work, 'limits.capnp');
  writeFileSync(
    configFile,
    limitsWorkerdConfig({
      modules,
      compatibilityDate: facts.compatibilityDate,
      compatibilityFlags: facts.compatibilityFlags,
      json: facts.json,
      kvNamespaces: facts.kvNamespaces,
      durableObjects: facts.durableObjects,
      services,
      kvServiceModule: 'kv-service.js',
      storageDir,
      assets: facts.assets,
    }),
  );
  // stop() sends SIGTERM, then SIGKILL after its grace period: workerd does not exit on SIGTERM with open connections.
  const workerd = await startWorkerd({ configFile, sockets: services.map((s) => s.name) });
  try {
    const url = (service: string) => `http://127.0.0.1:${workerd.ports[service]}`;
    const managedKey = await mintKey(url('plain'), workerd.stderr);
    const managedShmKey = await mintKey(url('plain-shm'), workerd.stderr);

    const RESERVE = 'reserve (+ settle after the response)';
    const LOOKUP_RESERVE = 'lookup + reserve (+ settle after the response)';
    const callers: Caller[] = [
      { name: 'static', service: 'plain', url: url('plain'), key: STATIC_KEY, objectCalls: 'none' },
      { name: 'static+limit', service: 'limited', url: url('limited'), key: STATIC_KEY, objectCalls: RESERVE },
      { name: 'managed', service: 'plain', url: url('plain'), key: managedKey, objectCalls: LOOKUP_RESERVE },
      { name: 'static+limit/shm', service: 'limited-shm', url: url('limited-shm'), key: STATIC_KEY, objectCalls: RESERVE },
      { name: 'managed/shm', service: 'plain-shm', url: url('plain-shm'), key: managedShmKey, objectCalls: LOOKUP_RESERVE },
    ];
    // Proof that each caller takes the path it names: limit headers come only from a reservation.
    for (const caller of callers) {
      const { headers } = await call(caller);
      const limited = headers['x-ratelimit-limit-requests'];
      if ((caller.name === 'static') !== (limited === undefined))
        throw new Error(`${caller.name}: x-ratelimit-limit-requests is ${limited}; the caller is not on the path it names.`);
    }

    console.error(`warm-up: ${WARMUP} requests per caller`);
    await sequential(callers, WARMUP);
    console.error(`concurrency 1: ${REQUESTS} requests per caller, interleaved`);
    const latencies = await sequential(callers, REQUESTS);

    console.error(`concurrency ${CONNECTIONS}: ${ROUNDS} rounds of ${SECONDS} s per caller, interleaved`);
    for (const caller of callers) await load(caller, 1); // warm every connection path once
    const rounds = Object.fromEntries(callers.map((c) => [c.name, [] as { rps: number; failures: number; p50: number }[]])) as Record<
      string,
      { rps: number; failures: number; p50: number }[]
    >;
    for (let r = 0; r < ROUNDS; r++) {
      for (let j = 0; j < callers.length; j++) {
        const caller = callers[(r + j) % callers.length]!;
        rounds[caller.name]!.push(await load(caller, SECONDS));
      }
    }

    // The managed key's object counted every request it reserved, once its settles have landed.
    await new Promise((r) => setTimeout(r, 500));
    const usage = (await (
      await fetch(`${url('plain')}/v1/usage`, { headers: { authorization: `Bearer ${managedKey}` } })
    ).json()) as unknown;

    const lat = Object.fromEntries(callers.map((c) => [c.name, summary(latencies[c.name]!)])) as Record<string, ReturnType<typeof summary>>;
    const added = (name: string) => ({
      p50: round3(lat[name]!.p50 - lat['static']!.p50),
      p95: round3(lat[name]!.p95 - lat['static']!.p95),
    });
    const throughput = Object.fromEntries(
      callers.map((c) => [
        c.name,
        {
          rpsMedian: median(rounds[c.name]!.map((x) => x.rps)),
          rounds: rounds[c.name]!,
          failures: rounds[c.name]!.reduce((s, x) => s + x.failures, 0),
        },
      ]),
    ) as Record<string, { rpsMedian: number; rounds: unknown[]; failures: number }>;

    const results = {
      generatedAt: new Date().toISOString(),
      command: 'npx node --disable-warning=ExperimentalWarning bench/limits-latency.ts',
      setup: {
        bundle: `wrangler deploy --dry-run --env ${ENV} (minified), ${bundle.modules.length} modules, ${Math.round(bundle.gzipBytes / 1024)} KiB gzip`,
        runtime: `plain workerd serve: one process, four services of the same bundle; Durable Objects in SQLite on the local disk (${storageDir}), or on tmpfs (${SHM}: the callers named /shm)`,
        upstream: 'mock/upstream.ts in its own Node process, answering at once',
        request: 'non-stream POST /v1/chat/completions, not cacheable',
        machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, shared with the load generator and the mock`,
        // Other work on the machine moves every figure; the interleaving spreads it over the callers alike.
        loadAverage1m: { before: Math.round(loadBefore[0]! * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
        concurrency1: {
          warmupPerCaller: WARMUP,
          requestsPerCaller: REQUESTS,
          order: 'interleaved request by request, rotating',
          pauseAfterEachMs: GAP_MS,
          client: 'node:http, one keep-alive connection per caller',
        },
        throughput: {
          connections: CONNECTIONS,
          secondsPerRound: SECONDS,
          rounds: ROUNDS,
          order: 'interleaved rounds, rotating',
          tool: 'autocannon',
        },
        callers: callers.map((c) => ({ name: c.name, service: c.service, durableObjectCalls: c.objectCalls })),
      },
      latencyMs: lat,
      addedOverStaticMs: Object.fromEntries(callers.filter((c) => c.name !== 'static').map((c) => [c.name, added(c.name)])),
      throughput,
      managedKeyUsageAfterRun: usage,
    };
    writeFileSync(join(PROJECT_ROOT, 'bench', 'limits-results.json'), `${JSON.stringify(results, null, 2)}\n`);

    const row = (cells: readonly (string | number)[]) =>
      cells.map((c, i) => (i === 0 ? String(c).padEnd(18) : String(c).padStart(10))).join('');
    console.log(row(['caller', 'p50 ms', 'p95 ms', '+p50 ms', '+p95 ms', `rps @${CONNECTIONS}`]));
    for (const c of callers) {
      const plus = c.name === 'static' ? { p50: '-', p95: '-' } : added(c.name);
      console.log(
        row([c.name, lat[c.name]!.p50.toFixed(3), lat[c.name]!.p95.toFixed(3), plus.p50, plus.p95, throughput[c.name]!.rpsMedian]),
      );
    }
    console.log('written: bench/limits-results.json');
  } finally {
    for (const agent of agents.values()) agent.destroy();
    await workerd.stop();
    await mock.stop();
  }
}

await main();
