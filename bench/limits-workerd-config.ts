// Renders the workerd config of the limits latency bench (limits-latency.ts): the production bundle served twice
// in ONE workerd process, as services that differ only in their vars and Durable Object storage, each on its own
// socket (e.g. plain: static keys without KEY_* limits plus the admin API; limited: KEY_REQUESTS_PER_MINUTE set).
// Static-key limits apply to every static key of a Worker, so the two static callers need two services; all run
// the same modules, with their own Durable Object namespaces and their own local KV service for CACHE.
// Pure: paths and values in, text out.
import type { ModuleFile } from './workerd-config.ts';

export interface LimitsService {
  /** Service and socket name. */
  readonly name: string;
  /** Text bindings: wrangler.toml's vars plus this service's own. */
  readonly text: Readonly<Record<string, string>>;
  /**
   * Absolute directory of its Durable Objects' SQLite files. workerd's `inMemory` storage has no SQL API, so the
   * way to take the disk's sync out of a figure is a directory on tmpfs (/dev/shm), where a sync costs nothing.
   */
  readonly durableObjectDir: string;
}

export interface LimitsConfigPlan {
  /** The bundle's modules, paths relative to the config file. */
  readonly modules: readonly ModuleFile[];
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  /** JSON bindings (non-string vars), shared. */
  readonly json: Readonly<Record<string, string>>;
  readonly kvNamespaces: readonly string[];
  /** Durable Object bindings: binding name → class name, all SQLite-backed. */
  readonly durableObjects: readonly { readonly binding: string; readonly className: string; readonly sqlite: boolean }[];
  readonly services: readonly LimitsService[];
  /** The stripped kv-service worker (kv-service.worker.ts), relative to the config file. */
  readonly kvServiceModule: string;
  /** Absolute directory for the KV services' data. */
  readonly storageDir: string;
  /** wrangler.toml's [assets] (the tokenizer's rank files, read by a budgeted call's token count), one disk service for all. */
  readonly assets: { readonly directory: string; readonly binding: string | null } | null;
}

/** A Cap'n Proto string literal; only printable ASCII is accepted rather than risk a mis-escape. */
function str(value: string): string {
  if (/[^\x20-\x7e]/.test(value))
    throw new Error(`Cannot write ${JSON.stringify(value)} into the workerd config: only printable ASCII is supported.`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const list = (items: readonly string[]) => `[\n        ${items.join(',\n        ')}\n      ]`;

function gatewayService(plan: LimitsConfigPlan, service: LimitsService): string[] {
  const kvName = (binding: string) => `${service.name}-kv-${binding}`;
  const bindings = [
    ...Object.entries(service.text).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`),
    ...Object.entries(plan.json).map(([name, value]) => `(name = ${str(name)}, json = ${str(value)})`),
    ...plan.kvNamespaces.map((b) => `(name = ${str(b)}, kvNamespace = ${str(kvName(b))})`),
    ...plan.durableObjects.map((d) => `(name = ${str(d.binding)}, durableObjectNamespace = ${str(d.className)})`),
    ...(plan.assets?.binding ? [`(name = ${str(plan.assets.binding)}, service = "gateway-assets")`] : []),
  ];
  const classes = [...new Map(plan.durableObjects.map((d) => [d.className, d])).values()];
  const gateway = `(name = ${str(service.name)}, worker = (
      modules = ${list(plan.modules.map((m) => `(name = ${str(m.name)}, ${m.type} = embed ${str(m.path)})`))},
      compatibilityDate = ${str(plan.compatibilityDate)},
      compatibilityFlags = [${plan.compatibilityFlags.map(str).join(', ')}],
      bindings = ${list(bindings)},
      globalOutbound = "loopback-network",
      durableObjectNamespaces = ${list(classes.map((d) => `(className = ${str(d.className)}, uniqueKey = ${str(`limits-bench-${service.name}-${d.className}`)}, enableSql = ${d.sqlite})`))},
      durableObjectStorage = (localDisk = ${str(`${service.name}-do-disk`)}),
    ))`;
  const disk = `(name = ${str(`${service.name}-do-disk`)}, disk = (path = ${str(service.durableObjectDir)}, writable = true))`;
  const kv = plan.kvNamespaces.flatMap((b) => [
    `(name = ${str(kvName(b))}, worker = (
      modules = [(name = "kv-service.js", esModule = embed ${str(plan.kvServiceModule)})],
      compatibilityDate = ${str(plan.compatibilityDate)},
      bindings = [(name = "STORE", durableObjectNamespace = "KvStore")],
      durableObjectNamespaces = [(className = "KvStore", uniqueKey = ${str(`limits-bench-${kvName(b)}`)}, enableSql = true)],
      durableObjectStorage = (localDisk = ${str(`${kvName(b)}-disk`)}),
    ))`,
    `(name = ${str(`${kvName(b)}-disk`)}, disk = (path = ${str(`${plan.storageDir}/${kvName(b)}`)}, writable = true))`,
  ]);
  return [gateway, disk, ...kv];
}

/** Directories the config expects to exist: each service's Durable Object directory and its KV directories. */
export const storageDirs = (plan: Pick<LimitsConfigPlan, 'services' | 'kvNamespaces' | 'storageDir'>): string[] =>
  plan.services.flatMap((s) => [s.durableObjectDir, ...plan.kvNamespaces.map((b) => `${plan.storageDir}/${s.name}-kv-${b}`)]);

/** The config for `workerd serve`: one socket per service, named after it, on a port the OS chooses. */
export function limitsWorkerdConfig(plan: LimitsConfigPlan): string {
  const services = [
    ...plan.services.flatMap((s) => gatewayService(plan, s)),
    // The mock upstream is on 127.0.0.1: the default outbound refuses private and local addresses.
    '(name = "loopback-network", network = (allow = ["public", "private", "local"]))',
    ...(plan.assets?.binding ? [`(name = "gateway-assets", disk = (path = ${str(plan.assets.directory)}, writable = false))`] : []),
  ];
  const sockets = plan.services.map((s) => `(name = ${str(s.name)}, address = "127.0.0.1:0", http = (), service = ${str(s.name)})`);
  return `# Generated by bench/limits-workerd-config.ts for one run of bench/limits-latency.ts; not meant to be edited.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')}
  ],
  sockets = [
    ${sockets.join(',\n    ')}
  ],
);
`;
}
