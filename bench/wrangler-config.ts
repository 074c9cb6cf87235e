// Reads what the workerd config needs from wrangler.toml, through wrangler's own reader (so `env`
// inheritance, defaults and validation are wrangler's): compatibility date and flags, vars, KV namespaces,
// Durable Objects, Queues, D1 databases and static assets of one environment (the top level unless told).
import { dirname, resolve } from 'node:path';
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig } from 'wrangler';
import type { D1Binding, GatewayWorkerPlan, QueueConsumer, QueueProducer } from './workerd-config.ts';

/** The parts of a Worker's wrangler config that the bench wires into workerd: the worker plan, less its modules. */
export interface WranglerFacts extends Omit<GatewayWorkerPlan, 'modules' | 'queues'> {
  /** The request log's Queue and D1: wired only into the request-log process (servers.ts startRequestLog). */
  readonly queueProducers: readonly QueueProducer[];
  readonly queueConsumers: readonly QueueConsumer[];
  readonly d1Databases: readonly D1Binding[];
  /** Binding kinds present in the config that the bench cannot provide locally (reported, not wired). */
  readonly unsupported: readonly string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

function str(config: Record<string, unknown>, field: string, where: string): string {
  const value = config[field];
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: "${field}" must be a non-empty string.`);
  return value;
}

const UNSUPPORTED_KINDS = [
  'r2_buckets',
  'services',
  'ai',
  'vectorize',
  'hyperdrive',
  'analytics_engine_datasets',
  'ratelimits',
  'workflows',
  'browser',
  'images',
  'send_email',
];

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** [[queues.producers]] and [[queues.consumers]]. */
function queuesOf(queues: unknown, configPath: string): Pick<WranglerFacts, 'queueProducers' | 'queueConsumers'> {
  const q = isRecord(queues) ? queues : {};
  return {
    queueProducers: records(q['producers']).map((p) => ({
      binding: str(p, 'binding', `${configPath} queues.producers`),
      queue: str(p, 'queue', `${configPath} queues.producers`),
    })),
    queueConsumers: records(q['consumers']).map((c) => {
      const maxBatchSize = num(c['max_batch_size']);
      const maxBatchTimeout = num(c['max_batch_timeout']);
      return {
        queue: str(c, 'queue', `${configPath} queues.consumers`),
        ...(maxBatchSize !== undefined ? { maxBatchSize } : {}),
        ...(maxBatchTimeout !== undefined ? { maxBatchTimeout } : {}),
      };
    }),
  };
}

/** [[d1_databases]]: the binding, its id (names the local database) and its migrations folder, resolved. */
function d1Of(databases: unknown, configPath: string): WranglerFacts['d1Databases'] {
  return records(databases).map((d) => {
    const dir = d['migrations_dir'];
    return {
      binding: str(d, 'binding', `${configPath} d1_databases`),
      databaseId: str(d, 'database_id', `${configPath} d1_databases`),
      migrationsDir: resolve(dirname(configPath), typeof dir === 'string' && dir !== '' ? dir : 'migrations'),
    };
  });
}

/** [assets]: its directory resolved against the config file's folder, and its binding's name, if any. */
function assetsOf(assets: unknown, configPath: string): WranglerFacts['assets'] {
  if (!isRecord(assets)) return null;
  const binding = assets['binding'];
  return {
    directory: resolve(dirname(configPath), str(assets, 'directory', `${configPath} assets`)),
    binding: typeof binding === 'string' && binding !== '' ? binding : null,
  };
}

/**
 * One environment of a wrangler config (undefined: the top level), as wrangler itself resolves it.
 * @example readWranglerFacts('wrangler.toml').compatibilityFlags // ['nodejs_compat', …]
 */
export function readWranglerFacts(configPath: string, env?: string): WranglerFacts {
  const raw: unknown = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  if (!isRecord(raw)) throw new Error(`${configPath}: wrangler returned no config.`);
  const text: Record<string, string> = {};
  const json: Record<string, string> = {};
  for (const [name, value] of Object.entries(isRecord(raw['vars']) ? raw['vars'] : {})) {
    if (typeof value === 'string') text[name] = value;
    else json[name] = JSON.stringify(value);
  }
  const kvNamespaces = records(raw['kv_namespaces']).map((kv) => str(kv, 'binding', `${configPath} kv_namespaces`));
  const sqliteByClass: unknown = unstable_getDurableObjectClassNameToUseSQLiteMap(raw['migrations']);
  const durableObjects = records(isRecord(raw['durable_objects']) ? raw['durable_objects']['bindings'] : []).map((d) => {
    if (d['script_name'] !== undefined)
      throw new Error(
        `${configPath}: Durable Object ${String(d['name'])} lives in another script (${String(d['script_name'])}); the bench runs one Worker.`,
      );
    const className = str(d, 'class_name', `${configPath} durable_objects`);
    return {
      binding: str(d, 'name', `${configPath} durable_objects`),
      className,
      sqlite: sqliteByClass instanceof Map && sqliteByClass.get(className) === true,
    };
  });
  const unsupported = UNSUPPORTED_KINDS.filter((kind) => {
    const value = raw[kind];
    if (Array.isArray(value)) return value.length > 0;
    return isRecord(value) && Object.keys(value).length > 0;
  });
  const flags = raw['compatibility_flags'];
  return {
    name: str(raw, 'name', configPath),
    compatibilityDate: str(raw, 'compatibility_date', configPath),
    compatibilityFlags: Array.isArray(flags) ? flags.filter((f): f is string => typeof f === 'string') : [],
    text,
    json,
    kvNamespaces,
    durableObjects,
    ...queuesOf(raw['queues'], configPath),
    d1Databases: d1Of(raw['d1_databases'], configPath),
    unsupported,
    assets: assetsOf(raw['assets'], configPath),
  };
}
