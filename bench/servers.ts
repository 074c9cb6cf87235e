// Starts the two workerd processes of a run: the gateway's production bundle with its bindings, and the
// reference (floor) Workers. Each gets a directory with its generated config and stripped helper workers.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import type { Bundle } from './bundle.ts';
import { completionBody, GATEWAY_KEY, gatewayTarget, UPSTREAM_KEY, type Target } from './requests.ts';
import {
  d1SocketName,
  floorWorkerdConfig,
  gatewayWorkerdConfig,
  queueSocketName,
  requestLogWorkerdConfig,
  type D1Binding,
} from './workerd-config.ts';
import { startWorkerd, type WorkerdServer } from './workerd-process.ts';
import type { WranglerFacts } from './wrangler-config.ts';

/** Vars the bench sets on top of wrangler.toml's: the mock as the OpenAI upstream, one gateway key. */
export const benchVars = (mockUrl: string): Record<string, string> => ({
  OPENAI_BASE_URL: `${mockUrl}/v1`,
  OPENAI_API_KEY: UPSTREAM_KEY,
  GATEWAY_API_KEYS: GATEWAY_KEY,
  ALLOW_ANONYMOUS: 'false',
});

/** Writes a TypeScript worker from bench/ as plain JavaScript for workerd (types stripped, nothing else changed). */
function writeStripped(sourceName: string, dest: string): void {
  const source = readFileSync(new URL(`./${sourceName}`, import.meta.url), 'utf8');
  writeFileSync(dest, stripTypeScriptTypes(source, { mode: 'strip' }));
}

export interface GatewayServer {
  readonly url: string;
  readonly pid: number;
  readonly workerd: WorkerdServer;
  /** Latency of the first request after workerd listened. */
  readonly firstRequestMs: number;
}

/** The request log's own process: the Queue, the Worker's consumer and D1 (requestLogWorkerdConfig). */
export interface RequestLogServer {
  readonly pid: number;
  readonly workerd: WorkerdServer;
  /** Where each queue binding of the gateway sends (host:port). */
  readonly queueAddresses: readonly { readonly binding: string; readonly address: string }[];
}

/**
 * Starts the request-log process for the config's Queue and D1 bindings (workerd's bundled Queues and D1 Workers,
 * `--experimental`) and applies the databases' migrations; null when the config has no queue producer.
 */
export async function startRequestLog(options: {
  bundle: Bundle;
  facts: WranglerFacts;
  workDir: string;
}): Promise<RequestLogServer | null> {
  const { facts, workDir } = options;
  if (facts.queueProducers.length === 0) return null;
  mkdirSync(join(workDir, 'modules'), { recursive: true });
  const modules = options.bundle.modules.map((m) => {
    copyFileSync(m.path, join(workDir, 'modules', m.name));
    return { ...m, path: `modules/${m.name}` };
  });
  const storageDir = join(workDir, 'storage');
  for (const d of ['queues', 'd1']) mkdirSync(join(storageDir, d), { recursive: true });
  const configFile = join(workDir, 'request-log.capnp');
  writeFileSync(
    configFile,
    requestLogWorkerdConfig({
      modules,
      compatibilityDate: facts.compatibilityDate,
      compatibilityFlags: facts.compatibilityFlags,
      queueProducers: facts.queueProducers,
      queueConsumers: facts.queueConsumers,
      d1Databases: facts.d1Databases,
      storageDir,
    }),
  );
  const workerd = await startWorkerd({
    configFile,
    sockets: [...facts.queueProducers.map((q) => queueSocketName(q.binding)), ...facts.d1Databases.map((d) => d1SocketName(d.binding))],
    experimental: true,
  });
  for (const d of facts.d1Databases) await applyMigrations(workerd, d);
  const queueAddresses = facts.queueProducers.map((q) => ({
    binding: q.binding,
    address: `127.0.0.1:${workerd.ports[queueSocketName(q.binding)]}`,
  }));
  return { pid: workerd.pid, workerd, queueAddresses };
}

/**
 * Runs the bundle in plain `workerd serve` and checks that it answers a chat completion through the mock.
 * The queue bindings are wired only with `requestLog` (its process serves them); without it the gateway runs as
 * a deployer who has not created them. `vars` are set last.
 */
export async function startGateway(options: {
  bundle: Bundle;
  facts: WranglerFacts;
  mockUrl: string;
  workDir: string;
  inspectorAddress?: string;
  requestLog?: RequestLogServer | null;
  vars?: Readonly<Record<string, string>>;
}): Promise<GatewayServer> {
  const { bundle, facts, workDir } = options;
  mkdirSync(join(workDir, 'modules'), { recursive: true });
  const modules = bundle.modules.map((m) => {
    copyFileSync(m.path, join(workDir, 'modules', m.name));
    return { ...m, path: `modules/${m.name}` };
  });
  writeStripped('kv-service.worker.ts', join(workDir, 'kv-service.js'));
  const storageDir = join(workDir, 'storage');
  for (const kv of facts.kvNamespaces) mkdirSync(join(storageDir, `kv-${kv}`), { recursive: true });
  if (facts.durableObjects.length > 0) mkdirSync(join(storageDir, 'durable-objects'), { recursive: true });
  const configFile = join(workDir, 'gateway.capnp');
  writeFileSync(
    configFile,
    gatewayWorkerdConfig({
      gateway: {
        name: facts.name,
        modules,
        compatibilityDate: facts.compatibilityDate,
        compatibilityFlags: facts.compatibilityFlags,
        text: { ...facts.text, ...benchVars(options.mockUrl), ...options.vars },
        json: facts.json,
        kvNamespaces: facts.kvNamespaces,
        durableObjects: facts.durableObjects,
        queues: options.requestLog?.queueAddresses ?? [],
        assets: facts.assets,
      },
      kvServiceModule: 'kv-service.js',
      storageDir,
      address: '127.0.0.1:0',
    }),
  );
  const workerd = await startWorkerd({
    configFile,
    sockets: ['http'],
    ...(options.inspectorAddress ? { inspectorAddress: options.inspectorAddress } : {}),
  });
  const url = `http://127.0.0.1:${workerd.ports['http']}`;
  const firstRequestMs = await firstChat(workerd, gatewayTarget('gateway', url));
  return { url, pid: workerd.pid, workerd, firstRequestMs };
}

/** SQL text as statements: `--` comments dropped (they may hold a `;`), split at each `;`. Enough for migrations/. */
export function sqlStatements(text: string): string[] {
  return text
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Applies a D1 database's migrations (its folder's .sql files in name order) through the D1 Worker's POST /execute. */
async function applyMigrations(workerd: WorkerdServer, d: D1Binding): Promise<void> {
  if (!d.migrationsDir) return;
  const files = readdirSync(d.migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const queries = files.flatMap((f) => sqlStatements(readFileSync(join(d.migrationsDir!, f), 'utf8')).map((sql) => ({ sql, params: [] })));
  if (queries.length === 0) return;
  const response = await fetch(`http://127.0.0.1:${workerd.ports[d1SocketName(d.binding)]}/execute`, {
    method: 'POST',
    body: JSON.stringify(queries),
  });
  const answer: unknown = await response.json();
  if (!Array.isArray(answer) || answer.some((a: unknown) => !(typeof a === 'object' && a !== null && 'success' in a && a.success)))
    throw new Error(`${d.binding}: migrations failed: ${JSON.stringify(answer).slice(0, 400)}\n${workerd.stderr()}`);
}

/** One SQL query on a D1 database of the request-log process; resolves to its rows. */
export async function queryD1(workerd: WorkerdServer, binding: string, sql: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`http://127.0.0.1:${workerd.ports[d1SocketName(binding)]}/query`, {
    method: 'POST',
    body: JSON.stringify({ sql, params: [] }),
  });
  const answer = (await response.json()) as { success?: boolean; results?: Record<string, unknown>[]; error?: string }[];
  const first = answer[0];
  if (!first?.success || !first.results) throw new Error(`${binding}: ${sql}: ${JSON.stringify(answer).slice(0, 300)}`);
  return first.results;
}

/** Sends a fresh process its first chat completion; resolves to its latency, or stops the process and throws. */
export async function firstChat(workerd: WorkerdServer, target: Target): Promise<number> {
  const started = performance.now();
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(completionBody()) });
  const text = await response.text();
  const firstRequestMs = performance.now() - started;
  if (response.status !== 200 || !text.includes('"choices"')) {
    await workerd.stop();
    throw new Error(
      `${target.name} did not answer a chat completion (status ${response.status}): ${text.slice(0, 400)}\n${workerd.stderr()}`,
    );
  }
  return firstRequestMs;
}

export const FLOOR_NAMES = ['trivial', 'proxy', 'minimal', 'logged'] as const;
/** Stream relays that touch every chunk in JS (floor.worker.ts), for the cost of each streaming primitive. */
export const RELAY_NAMES = ['relayPull', 'relayByob', 'relayIdentity', 'relayTransform', 'relayParse'] as const;
export type FloorName = (typeof FLOOR_NAMES)[number] | (typeof RELAY_NAMES)[number];

export interface FloorServer {
  readonly pid: number;
  /** Base URL of each reference worker (floor.worker.ts); with `only`, just those served. */
  readonly urls: Readonly<Record<FloorName, string>>;
  /** The stripped module workerd runs. */
  readonly modulePath: string;
  readonly workerd: WorkerdServer;
}

/** Runs the reference Workers (floor.worker.ts) in their own workerd, with the gateway's compatibility settings. */
export async function startFloor(options: {
  facts: WranglerFacts;
  mockUrl: string;
  workDir: string;
  inspectorAddress?: string;
  /** The named workers to serve (default: all); `trivial` always listens. */
  only?: readonly Exclude<FloorName, 'trivial'>[];
}): Promise<FloorServer> {
  mkdirSync(options.workDir, { recursive: true });
  writeStripped('floor.worker.ts', join(options.workDir, 'floor.js'));
  const entrypoints = options.only ?? [...FLOOR_NAMES, ...RELAY_NAMES].filter((n) => n !== 'trivial');
  const configFile = join(options.workDir, 'floor.capnp');
  writeFileSync(
    configFile,
    floorWorkerdConfig({
      module: 'floor.js',
      compatibilityDate: options.facts.compatibilityDate,
      compatibilityFlags: options.facts.compatibilityFlags,
      upstreamUrl: `${options.mockUrl}/v1`,
      upstreamKey: UPSTREAM_KEY,
      gatewayKey: GATEWAY_KEY,
      entrypoints,
    }),
  );
  const names = ['trivial', ...entrypoints];
  const workerd = await startWorkerd({
    configFile,
    sockets: names,
    ...(options.inspectorAddress ? { inspectorAddress: options.inspectorAddress } : {}),
  });
  const urls = Object.fromEntries(names.map((name) => [name, `http://127.0.0.1:${workerd.ports[name]}`])) as Record<FloorName, string>;
  return { pid: workerd.pid, urls, workerd, modulePath: join(options.workDir, 'floor.js') };
}
