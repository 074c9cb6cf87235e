// Renders the Cap'n Proto text config that runs the gateway's production bundle in plain `workerd serve`:
// the bundle's modules, compatibility date and flags from wrangler.toml, vars as text/JSON bindings, KV
// namespaces backed by the local KV service (kv-service.worker.ts) on disk, Durable Objects on disk, the
// static assets directory as the ASSETS binding (a read-only disk service), queue bindings served by another
// process, and an outbound network that may reach loopback (the mock upstream). That other process (the request
// log's: its Queue, its consumer and D1) runs workerd's own bundled Workers (`/workerd/queues.js`,
// `/workerd/d1.js`) on disk. Pure: paths in, text out.

/** One module of a worker, its path relative to the config file. */
export interface ModuleFile {
  readonly name: string;
  readonly path: string;
  readonly type: 'esModule' | 'commonJsModule' | 'wasm' | 'text' | 'data';
}

/** A queue the Worker sends to (`[[queues.producers]]`). */
export interface QueueProducer {
  readonly binding: string;
  readonly queue: string;
}

/** A queue whose batches the Worker's `queue()` handler receives (`[[queues.consumers]]`). */
export interface QueueConsumer {
  readonly queue: string;
  readonly maxBatchSize?: number;
  readonly maxBatchTimeout?: number;
}

/** A D1 database (`[[d1_databases]]`); its migrations folder is applied by the bench, not by the config. */
export interface D1Binding {
  readonly binding: string;
  readonly databaseId: string;
  readonly migrationsDir: string | null;
}

export interface DurableObjectBinding {
  readonly binding: string;
  readonly className: string;
  readonly sqlite: boolean;
}

/** Everything the gateway's worker needs, already resolved to files and values. */
export interface GatewayWorkerPlan {
  readonly name: string;
  readonly modules: readonly ModuleFile[];
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  /** Text bindings (vars and secrets). */
  readonly text: Readonly<Record<string, string>>;
  /** JSON bindings (non-string vars), as JSON text. */
  readonly json: Readonly<Record<string, string>>;
  /** KV binding names; each gets its own local KV service and storage directory. */
  readonly kvNamespaces: readonly string[];
  readonly durableObjects: readonly DurableObjectBinding[];
  /** Queue bindings, each served at `address` (the request-log process's socket); empty: the Worker runs without them. */
  readonly queues: readonly { readonly binding: string; readonly address: string }[];
  /**
   * wrangler.toml's [assets]: the absolute directory, and the binding the Worker reads it through (the tokenizer's
   * rank files are there). Outside callers never reach it here: the bench's socket serves the Worker alone.
   */
  readonly assets: { readonly directory: string; readonly binding: string | null } | null;
}

export interface GatewayConfigPlan {
  readonly gateway: GatewayWorkerPlan;
  /** The stripped kv-service worker, relative to the config file. */
  readonly kvServiceModule: string;
  /** Absolute directory under which KV and Durable Object data is kept. */
  readonly storageDir: string;
  /** Where the gateway listens; port 0 lets the OS choose (reported on workerd's control fd). */
  readonly address: string;
}

/** A Cap'n Proto text literal. The values here are ASCII config; anything else is refused rather than mis-escaped. */
export function capnpString(value: string): string {
  if (/[^\x20-\x7e]/.test(value))
    throw new Error(`Cannot write ${JSON.stringify(value)} into the workerd config: only printable ASCII is supported.`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const list = (items: readonly string[], indent = '    ') =>
  items.length === 0 ? '[]' : `[\n${items.map((i) => `${indent}${i}`).join(',\n')}\n${indent.slice(2)}]`;

const moduleEntry = (m: ModuleFile) => `(name = ${capnpString(m.name)}, ${m.type} = embed ${capnpString(m.path)})`;

const kvServiceName = (binding: string) => `kv-${binding}`;

function kvServices(plan: GatewayConfigPlan): string[] {
  return plan.gateway.kvNamespaces.flatMap((binding) => [
    `(name = ${capnpString(kvServiceName(binding))}, worker = (
      modules = [(name = "kv-service.js", esModule = embed ${capnpString(plan.kvServiceModule)})],
      compatibilityDate = ${capnpString(plan.gateway.compatibilityDate)},
      bindings = [(name = "STORE", durableObjectNamespace = "KvStore")],
      durableObjectNamespaces = [(className = "KvStore", uniqueKey = ${capnpString(`bench-kv-${binding}`)}, enableSql = true)],
      durableObjectStorage = (localDisk = ${capnpString(`${kvServiceName(binding)}-disk`)}),
    ))`,
    `(name = ${capnpString(`${kvServiceName(binding)}-disk`)}, disk = (path = ${capnpString(`${plan.storageDir}/kv-${binding}`)}, writable = true))`,
  ]);
}

/** The config for `workerd serve`: one socket `http` serving the gateway. */
export function gatewayWorkerdConfig(plan: GatewayConfigPlan): string {
  const g = plan.gateway;
  const bindings = [
    ...Object.entries(g.text).map(([name, value]) => `(name = ${capnpString(name)}, text = ${capnpString(value)})`),
    ...Object.entries(g.json).map(([name, value]) => `(name = ${capnpString(name)}, json = ${capnpString(value)})`),
    ...g.kvNamespaces.map((binding) => `(name = ${capnpString(binding)}, kvNamespace = ${capnpString(kvServiceName(binding))})`),
    ...g.durableObjects.map((d) => `(name = ${capnpString(d.binding)}, durableObjectNamespace = ${capnpString(d.className)})`),
    ...(g.assets?.binding ? [`(name = ${capnpString(g.assets.binding)}, service = "gateway-assets")`] : []),
    ...g.queues.map((q) => `(name = ${capnpString(q.binding)}, queue = ${capnpString(queueServiceName(q.binding))})`),
  ];
  const classes = [...new Map(g.durableObjects.map((d) => [d.className, d])).values()];
  const durable =
    classes.length === 0
      ? ''
      : `
      durableObjectNamespaces = ${list(
        classes.map(
          (d) =>
            `(className = ${capnpString(d.className)}, uniqueKey = ${capnpString(`${g.name}-${d.className}`)}, enableSql = ${d.sqlite})`,
        ),
        '        ',
      )},
      durableObjectStorage = (localDisk = "gateway-do-disk"),`;
  const services = [
    `(name = "gateway", worker = (
      modules = ${list(g.modules.map(moduleEntry), '        ')},
      compatibilityDate = ${capnpString(g.compatibilityDate)},
      compatibilityFlags = [${g.compatibilityFlags.map(capnpString).join(', ')}],
      bindings = ${list(bindings, '        ')},
      globalOutbound = "loopback-network",${durable}
    ))`,
    // The mock upstream is on 127.0.0.1: the default outbound would refuse private and local addresses.
    '(name = "loopback-network", network = (allow = ["public", "private", "local"]))',
    ...kvServices(plan),
    ...(classes.length === 0
      ? []
      : [`(name = "gateway-do-disk", disk = (path = ${capnpString(`${plan.storageDir}/durable-objects`)}, writable = true))`]),
    // GET /<path> answers the file at that path, as env.ASSETS.fetch() does deployed.
    ...(g.assets?.binding ? [`(name = "gateway-assets", disk = (path = ${capnpString(g.assets.directory)}, writable = false))`] : []),
    // A queue binding speaks HTTP (POST /message, /batch) to its service: here, the request-log process.
    ...g.queues.map(
      (q) => `(name = ${capnpString(queueServiceName(q.binding))}, external = (address = ${capnpString(q.address)}, http = ()))`,
    ),
  ];
  return `# Generated by bench/workerd-config.ts for one bench run; not meant to be edited.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = ${list(services)},
  sockets = [(name = "http", address = ${capnpString(plan.address)}, http = (), service = "gateway")],
);
`;
}

const queueServiceName = (binding: string) => `queue-${binding}`;

/** The request-log process's socket for a queue binding (the gateway's queue binding sends there). */
export const queueSocketName = (binding: string) => `queue-${binding}`;
/** The request-log process's socket on which a D1 database answers POST /query and /execute (the bench applies migrations there). */
export const d1SocketName = (binding: string) => `d1-${binding}`;

/** The request log's side of the pipeline, in a process of its own: the Queue, the Worker's consumer, D1. */
export interface RequestLogConfigPlan {
  /** The gateway's modules: the consumer is the same Worker's `queue()` handler, in an invocation of its own. */
  readonly modules: readonly ModuleFile[];
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  readonly queueProducers: readonly QueueProducer[];
  readonly queueConsumers: readonly QueueConsumer[];
  readonly d1Databases: readonly D1Binding[];
  /** Absolute directory under which the queue's and the databases' data is kept. */
  readonly storageDir: string;
}

const d1Designator = (d: D1Binding) => `(name = "d1", props = (json = ${capnpString(JSON.stringify({ database: d.databaseId }))}))`;

/**
 * The config for the request-log process: workerd's bundled Queues Worker (one SQLite QueueShard class on disk)
 * delivering batches to `consumer` (the gateway's bundle, bound to D1 only), and the bundled D1 Worker. Sockets:
 * `queue-<binding>` per producer (the queue named by props) and `d1-<binding>` per database. Needs `--experimental`.
 */
export function requestLogWorkerdConfig(plan: RequestLogConfigPlan): string {
  const consumers = Object.fromEntries(
    plan.queueConsumers.map((c) => [
      c.queue,
      {
        consumer: 'CONSUMER',
        ...(c.maxBatchSize !== undefined ? { maxBatchSize: c.maxBatchSize } : {}),
        ...(c.maxBatchTimeout !== undefined ? { maxBatchTimeout: c.maxBatchTimeout } : {}),
      },
    ]),
  );
  const d1Bindings = plan.d1Databases.map(
    (d) =>
      `(name = ${capnpString(d.binding)}, wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [(name = "fetcher", service = ${d1Designator(d)})]))`,
  );
  const services = [
    `(name = "consumer", worker = (
      modules = ${list(plan.modules.map(moduleEntry), '        ')},
      compatibilityDate = ${capnpString(plan.compatibilityDate)},
      compatibilityFlags = [${plan.compatibilityFlags.map(capnpString).join(', ')}],
      bindings = ${list(d1Bindings, '        ')},
    ))`,
    `(name = "queues", worker = (
      modules = [(name = "queues.js", bundled = "/workerd/queues.js")],
      compatibilityDate = ${capnpString(plan.compatibilityDate)},
      compatibilityFlags = ["service_binding_extra_handlers"],
      bindings = [
        (name = "SHARD", durableObjectNamespace = "QueueShard"),
        (name = "CONSUMERS", json = ${capnpString(JSON.stringify(consumers))}),
        (name = "CONSUMER", service = "consumer"),
      ],
      durableObjectNamespaces = [(className = "QueueShard", uniqueKey = "bench-queues", enableSql = true)],
      durableObjectStorage = (localDisk = "queues-disk"),
    ))`,
    `(name = "queues-disk", disk = (path = ${capnpString(`${plan.storageDir}/queues`)}, writable = true))`,
    `(name = "d1", worker = (
      modules = [(name = "d1.js", bundled = "/workerd/d1.js")],
      compatibilityDate = ${capnpString(plan.compatibilityDate)},
      bindings = [(name = "DATABASE", durableObjectNamespace = "D1Database")],
      durableObjectNamespaces = [(className = "D1Database", uniqueKey = "bench-d1", enableSql = true)],
      durableObjectStorage = (localDisk = "d1-disk"),
    ))`,
    `(name = "d1-disk", disk = (path = ${capnpString(`${plan.storageDir}/d1`)}, writable = true))`,
  ];
  const sockets = [
    ...plan.queueProducers.map(
      (q) =>
        `(name = ${capnpString(queueSocketName(q.binding))}, address = "127.0.0.1:0", http = (), service = (name = "queues", props = (json = ${capnpString(JSON.stringify({ queue: q.queue }))})))`,
    ),
    ...plan.d1Databases.map(
      (d) => `(name = ${capnpString(d1SocketName(d.binding))}, address = "127.0.0.1:0", http = (), service = ${d1Designator(d)})`,
    ),
  ];
  return `# Generated by bench/workerd-config.ts for one bench run; not meant to be edited.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = ${list(services)},
  sockets = ${list(sockets)},
);
`;
}

export interface FloorConfigPlan {
  /** The stripped floor worker, relative to the config file. */
  readonly module: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  readonly upstreamUrl: string;
  readonly upstreamKey: string;
  readonly gatewayKey: string;
  /** Named entrypoints of the module, each on its own socket of the same name (`trivial` is the default export). */
  readonly entrypoints: readonly string[];
}

/** The config for the reference workers: socket `trivial` (the default export), and one socket per named entrypoint. */
export function floorWorkerdConfig(plan: FloorConfigPlan): string {
  const socket = (name: string, entrypoint?: string) =>
    `(name = ${capnpString(name)}, address = "127.0.0.1:0", http = (), service = (name = "floor"${entrypoint ? `, entrypoint = ${capnpString(entrypoint)}` : ''}))`;
  return `# Generated by bench/workerd-config.ts for one bench run; not meant to be edited.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "floor", worker = (
      modules = [(name = "floor.js", esModule = embed ${capnpString(plan.module)})],
      compatibilityDate = ${capnpString(plan.compatibilityDate)},
      compatibilityFlags = [${plan.compatibilityFlags.map(capnpString).join(', ')}],
      bindings = [
        (name = "UPSTREAM_URL", text = ${capnpString(plan.upstreamUrl)}),
        (name = "UPSTREAM_KEY", text = ${capnpString(plan.upstreamKey)}),
        (name = "GATEWAY_KEY", text = ${capnpString(plan.gatewayKey)}),
      ],
      globalOutbound = "loopback-network",
    )),
    (name = "loopback-network", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [${[socket('trivial'), ...plan.entrypoints.map((e) => socket(e, e))].join(',\n    ')}],
);
`;
}

export interface PeerConfigPlan {
  /** The peer's one ES module, relative to the config file. */
  readonly module: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
}

/** The config for a peer gateway's Worker (one ES module, no bindings): socket `http`, loopback reachable. */
export function peerWorkerdConfig(plan: PeerConfigPlan): string {
  return `# Generated by bench/workerd-config.ts for one bench run; not meant to be edited.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "peer", worker = (
      modules = [(name = ${capnpString(plan.module)}, esModule = embed ${capnpString(plan.module)})],
      compatibilityDate = ${capnpString(plan.compatibilityDate)},
      compatibilityFlags = [${plan.compatibilityFlags.map(capnpString).join(', ')}],
      globalOutbound = "loopback-network",
    )),
    (name = "loopback-network", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "peer")],
);
`;
}
