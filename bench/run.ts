// `npm run bench` / `npm run bench:smoke`: the gateway's production bundle in plain `workerd serve`, the
// project's mock upstream in its own process, and the same requests sent to it, to a bare fetch-proxy
// Worker, to Portkey's own Worker (same workerd binary, ../shared/peers/portkey-workerd) and to Portkey on
// Node (../shared/peers/portkey), interleaved round by round; what the request log, OTLP export and resumable
// streams cost (feature-costs.ts); then cold starts of fresh processes of the bare proxy, the gateway and
// Portkey's Worker. Prints Markdown tables and writes bench/results.json (smoke: bench/results.smoke.json).
// Peers that are absent are skipped with a message.
//
//   npm run bench                               full run (about 7–8 minutes on 2 cores)
//   npm run bench:smoke                         about 30 s, proves the bench works
//   npm run bench -- --bundle-dir ../old/dist   an already-built bundle (BENCH_BUNDLE_DIR) instead of this tree
//   npm run bench -- --config ../old/wrangler.toml   its wrangler config (BENCH_WRANGLER_CONFIG)
//   npm run bench -- --env production           a wrangler environment (BENCH_WRANGLER_ENV); default: the top level
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle, existingBundle, moduleSizes, workerAssets, type Bundle } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { describeMachine, loadAverage, toolVersions, treeCommit } from './environment.ts';
import { connectInspector, heapUsedMiB } from './inspector.ts';
import { measureCache } from './measure-cache.ts';
import { cpuPerRequest, cpuPerStream, type CpuFigures } from './measure-cpu.ts';
import { measureLatency, warmUp } from './measure-latency.ts';
import { measureMemory, type MemoryFigures } from './measure-memory.ts';
import { measureJsTime, type JsTimeFigures } from './measure-js-time.ts';
import { measureStreamThroughput } from './measure-stream-throughput.ts';
import { measureStreams } from './measure-streams.ts';
import { measureWranglerDev } from './measure-wrangler-dev.ts';
import { startMock } from './mock-process.ts';
import { measureColdStarts, type ColdTarget } from './measure-cold-start.ts';
import { portkeyTarget, startPortkey, type PeerServer } from './peer-portkey.ts';
import { PORTKEY_WORKER, portkeyWorkerModule, startPortkeyWorker, type PortkeyWorkerServer } from './peer-portkey-worker.ts';
import { rssMiB } from './proc.ts';
import { checkTargets, renderReport } from './report.ts';
import { measureFeatureCosts } from './feature-costs.ts';
import {
  cacheableBody,
  completionBody,
  directTarget,
  GATEWAY_KEY,
  gatewayTarget,
  registerStreams,
  SLOW_STREAM,
  streamBody,
  type StreamShape,
  type Target,
} from './requests.ts';
import type { BenchResults } from './results.ts';
import { benchVars, firstChat, FLOOR_NAMES, RELAY_NAMES, startFloor, startGateway, type FloorServer } from './servers.ts';
import { FULL, SMOKE } from './settings.ts';
import { SOURCE_OPTIONS, sourceFrom } from './source.ts';
import { readWranglerFacts } from './wrangler-config.ts';

const { values: args } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, ...SOURCE_OPTIONS } });
const settings = args.smoke ? SMOKE : FULL;
const { bundleDir, configPath, env } = sourceFrom(args);
const benchDir = import.meta.dirname;
const runStarted = performance.now();
const loadAtStart = loadAverage();
const log = (line: string) => console.error(`[bench ${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s] ${line}`);

const workDir = mkdtempSync(join(tmpdir(), 'edge-llm-gateway-bench-'));
removeOnExit(workDir);

// 1. The bundle and the config it runs with.
let bundle: Bundle;
if (bundleDir) {
  bundle = existingBundle(bundleDir);
  log(`bundle: ${bundle.dir} (given), config ${configPath}`);
} else {
  log(`bundle: building this tree with wrangler deploy --dry-run (${configPath}, ${env ? `env ${env}` : 'top level'})`);
  bundle = await buildBundle(configPath, join(workDir, 'bundle'), env);
}
const facts = readWranglerFacts(configPath, env);
if (facts.unsupported.length > 0) log(`warning: bindings the bench cannot provide locally are not wired: ${facts.unsupported.join(', ')}`);
if (facts.queueProducers.length > 0 || facts.d1Databases.length > 0)
  log(
    `Queues and D1 (the request log): wired only for the feature-cost figures (workerd's bundled Queues and D1 Workers in a process of their own, --experimental); the other figures are of the gateway without them`,
  );
if (facts.assets)
  log(
    `static assets: ${facts.assets.directory} as the Worker's ${facts.assets.binding ?? '(unbound)'} binding (the tokenizer's rank files); the bench sends only Worker routes, so nothing serves them in front of it`,
  );
log(
  `compatibility ${facts.compatibilityDate} [${facts.compatibilityFlags.join(', ')}]; KV: ${facts.kvNamespaces.join(', ') || 'none'}; Durable Objects: ${facts.durableObjects.map((d) => d.binding).join(', ') || 'none'}`,
);

// 2. Processes: the mock upstream, the gateway in workerd, the reference workers in a second workerd.
const mock = await startMock();
log(`mock upstream: ${mock.url} (pid ${mock.pid})`);
const largest = Math.max(...settings.streams.map((s) => s.pieces));
const paced = settings.pacedStreams;
const shapes: StreamShape[] = [
  ...settings.streams,
  settings.pacedStreams,
  { pieces: settings.streamThroughput.pieces },
  ...(settings.jsStream ? [settings.jsStream] : []),
  { pieces: 5 },
  SLOW_STREAM,
];
await registerStreams(mock.url, shapes);
const gateway = await startGateway({ bundle, facts, mockUrl: mock.url, workDir: join(workDir, 'gateway') });
log(`gateway: ${gateway.url} in plain workerd serve (pid ${gateway.pid}), listening after ${gateway.workerd.listenMs.toFixed(0)} ms`);
let floor: FloorServer | undefined;
if (settings.floor) {
  floor = await startFloor({ facts, mockUrl: mock.url, workDir: join(workDir, 'floor') });
  log(
    `reference workers: ${Object.entries(floor.urls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (pid ${floor.pid})`,
  );
}

let portkey: PeerServer | undefined;
let peerSkipped: string | null = settings.peers ? null : 'not in this profile';
if (settings.peers) {
  const started = await startPortkey(log);
  if ('skipped' in started) {
    peerSkipped = started.skipped;
    log(`Portkey: skipped, ${started.skipped}`);
  } else {
    portkey = started;
    log(`Portkey: ${portkey.url} (pid ${portkey.pid})`);
  }
}

// Portkey's own Worker, in a workerd process of its own beside ours.
const portkeyModule = settings.portkeyWorker ? portkeyWorkerModule() : { skipped: 'not in this profile' };
let portkeyWorker: PortkeyWorkerServer | undefined;
if ('skipped' in portkeyModule) log(`Portkey Worker: skipped, ${portkeyModule.skipped}`);
else {
  portkeyWorker = await startPortkeyWorker({ modulePath: portkeyModule.path, mockUrl: mock.url, workDir: join(workDir, 'portkey-worker') });
  log(`Portkey Worker: ${portkeyWorker.target.url} in plain workerd serve (pid ${portkeyWorker.pid})`);
}

const direct = directTarget(mock.url);
const gw = gatewayTarget('gateway', gateway.url);
const floorTargets: Target[] = floor ? FLOOR_NAMES.map((name) => gatewayTarget(`floor: ${name}`, floor.urls[name])) : [];
// `logged` differs from `minimal` by one log line: its CPU figure is enough, its latency would only cost time.
const floorLatencyTargets = floorTargets.filter((t) => t.name !== 'floor: logged');
const proxy = floorTargets.find((t) => t.name === 'floor: proxy');
const peer = portkey ? portkeyTarget('Portkey', portkey.url, mock.url) : undefined;
const peerWorker = portkeyWorker?.target;
const peers = [...(peerWorker ? [peerWorker] : []), ...(peer ? [peer] : [])];
// The issue's side-by-side rows: direct, the bare proxy Worker, the gateway, Portkey's Worker, Portkey on Node.
const sideBySide = [direct, ...(proxy ? [proxy] : []), gw, ...peers];

// 3. Measurements.
log('warm-up');
await warmUp([direct, gw, ...floorTargets, ...peers], settings.warmupSeconds);
const latency = await measureLatency([direct, gw, ...floorLatencyTargets, ...peers], settings, log);
const streams = await measureStreams(sideBySide, settings, log);
const streamThroughput = await measureStreamThroughput(sideBySide, settings, log);
const cache = await measureCache(direct, gw, settings, log);

log(`CPU: ${settings.cpuRequests} requests per figure from /proc/${gateway.pid}/stat`);
const nonStreamCpu = await cpuPerRequest(gateway.pid, gw, completionBody(), settings.cpuRequests, settings.cpuConcurrency);
const streamCpu = await cpuPerStream(gateway.pid, gw, streamBody(largest), settings.cpuStreams, 4);
const pacedCpu = await cpuPerStream(gateway.pid, gw, streamBody(paced.pieces, paced.delayMs), paced.count, 16);
const cacheHitCpu = cache.available
  ? await cpuPerRequest(gateway.pid, gw, cacheableBody(), settings.cpuRequests, settings.cpuConcurrency)
  : null;
const floorCpu: Record<string, CpuFigures> = {};
if (floor)
  for (const t of floorTargets)
    floorCpu[t.name.replace('floor: ', '')] = await cpuPerRequest(
      floor.pid,
      t,
      completionBody(),
      settings.cpuRequests,
      settings.cpuConcurrency,
    );
// The same non-stream requests through the peers, each in its own process (Portkey's Worker: workerd; Portkey: Node).
const nonStreamCpuPeers: Record<string, CpuFigures> = {};
for (const [pid, target] of [
  [portkeyWorker?.pid, peerWorker],
  [portkey?.pid, peer],
] as const)
  if (pid !== undefined && target)
    nonStreamCpuPeers[target.name] = await cpuPerRequest(pid, target, completionBody(), settings.cpuRequests, settings.cpuConcurrency);
// The same streams through the bare proxy Worker (its own workerd process), Portkey's Worker and Portkey (its Node process).
const streamCpuPeers: Record<string, { stream: CpuFigures; paced: CpuFigures }> = {};
// And through the reference relays, which touch every chunk in JS with one streaming primitive each.
const relays = floor ? RELAY_NAMES.map((name) => [name, floor.pid, gatewayTarget(`floor: ${name}`, floor.urls[name])] as const) : [];
for (const [name, pid, target] of [
  ['proxy', floor?.pid, proxy],
  [PORTKEY_WORKER, portkeyWorker?.pid, peerWorker],
  ['Portkey', portkey?.pid, peer],
  ...relays,
] as const) {
  if (pid === undefined || !target) continue;
  log(`CPU per chunk: ${target.name}`);
  streamCpuPeers[name] = {
    stream: await cpuPerStream(pid, target, streamBody(largest), settings.cpuStreams, 4),
    paced: await cpuPerStream(pid, target, streamBody(paced.pieces, paced.delayMs), paced.count, 16),
  };
}
await portkey?.stop();
await portkeyWorker?.workerd.stop();

const rssAfterLoadMiB = rssMiB(gateway.pid);
await floor?.workerd.stop();

// The request log, OTLP export and resumable streams, each against the gateway without it (fresh processes).
const featureCosts = settings.featureCosts
  ? await measureFeatureCosts({
      bundle,
      facts,
      mockUrl: mock.url,
      workDir: join(workDir, 'features'),
      settings: settings.featureCosts,
      log,
    })
  : null;

// Cold start: fresh processes of the bare proxy, the gateway and Portkey's Worker, one per sample.
const coldTargets: ColdTarget[] = [
  {
    name: 'proxy',
    async start(dir) {
      const fresh = await startFloor({ facts, mockUrl: mock.url, workDir: dir, only: ['proxy'] });
      const firstRequestMs = await firstChat(fresh.workerd, gatewayTarget('bare proxy', fresh.urls.proxy));
      return { workerd: fresh.workerd, firstRequestMs, modules: [{ name: 'floor.js', path: fresh.modulePath }] };
    },
  },
  {
    name: 'gateway',
    async start(dir) {
      const fresh = await startGateway({ bundle, facts, mockUrl: mock.url, workDir: dir });
      const tokenCount = {
        name: 'gateway',
        url: `${fresh.url}/v1/tokens/count`,
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      };
      return { workerd: fresh.workerd, firstRequestMs: fresh.firstRequestMs, modules: bundle.modules, tokenCount };
    },
  },
  ...('path' in portkeyModule
    ? [
        {
          name: PORTKEY_WORKER,
          async start(dir: string) {
            const fresh = await startPortkeyWorker({ modulePath: portkeyModule.path, mockUrl: mock.url, workDir: dir });
            return { ...fresh, modules: [{ name: 'portkey-worker.js', path: portkeyModule.path }] };
          },
        },
      ]
    : []),
];
const coldStart = settings.coldStarts > 0 ? await measureColdStarts(coldTargets, settings.coldStarts, join(workDir, 'cold'), log) : null;

// Memory on a fresh gateway process, so the figure is the streams' and not what the load runs left behind.
// The isolate's own time per long stream (inspector), on fresh processes, before the memory figure's streams.
let memory: MemoryFigures | null = null;
let memoryProxy: MemoryFigures | null = null;
const jsTime: Record<string, JsTimeFigures> = {};
if (settings.memoryStreams > 0 || settings.jsStream) {
  // With the inspector on, to read the isolate's JS heap (what Workers' 128 MB limit counts) beside the RSS.
  const fresh = await startGateway({
    bundle,
    facts,
    mockUrl: mock.url,
    workDir: join(workDir, 'gateway-memory'),
    inspectorAddress: '127.0.0.1:0',
  });
  const inspector = await connectInspector(`127.0.0.1:${fresh.workerd.ports['inspector']}`, 'gateway');
  const freshTarget = gatewayTarget('gateway', fresh.url);
  if (settings.jsStream) {
    log(
      `isolate time (inspector): ${settings.jsStream.count} streams of ${settings.jsStream.pieces} chunks ${settings.jsStream.delayMs} ms apart`,
    );
    jsTime['gateway'] = await measureJsTime(inspector, fresh.pid, freshTarget, settings.jsStream);
  }
  if (settings.memoryStreams > 0)
    memory = await measureMemory(fresh.pid, freshTarget, settings.memoryStreams, log, () => heapUsedMiB(inspector));
  inspector.close();
  await fresh.workerd.stop();
  if (settings.floor) {
    const freshFloor = await startFloor({
      facts,
      mockUrl: mock.url,
      workDir: join(workDir, 'floor-memory'),
      inspectorAddress: '127.0.0.1:0',
    });
    if (settings.jsStream) {
      const floorInspector = await connectInspector(`127.0.0.1:${freshFloor.workerd.ports['inspector']}`, 'floor');
      for (const name of ['proxy', 'relayPull', 'relayParse'] as const)
        jsTime[name] = await measureJsTime(
          floorInspector,
          freshFloor.pid,
          gatewayTarget(`floor: ${name}`, freshFloor.urls[name]),
          settings.jsStream,
        );
      floorInspector.close();
    }
    if (settings.memoryStreams > 0)
      memoryProxy = await measureMemory(freshFloor.pid, gatewayTarget('floor: proxy', freshFloor.urls.proxy), settings.memoryStreams, log);
    await freshFloor.workerd.stop();
  }
}

// 4. Reference line: the same bundle under `wrangler dev` (its dev server in front of workerd).
const wranglerDev = settings.wranglerDev
  ? await measureWranglerDev(
      direct,
      { configPath, env, ...(bundleDir ? { script: bundle.modules[0]!.path } : {}), vars: benchVars(mock.url) },
      settings,
      log,
    )
  : null;
await gateway.workerd.stop();
await mock.stop();

// 5. Results.
const withoutTargets: Omit<BenchResults, 'targets'> = {
  meta: {
    profile: settings.profile,
    date: new Date().toISOString(),
    seconds: Math.round((performance.now() - runStarted) / 1000),
    command: args.smoke ? 'npm run bench:smoke' : 'npm run bench',
    machine: describeMachine(loadAtStart),
    versions: toolVersions(),
    source: bundleDir
      ? { kind: 'bundle-dir', dir: bundle.dir, config: configPath, env: env ?? '(top level)' }
      : { kind: 'tree', ...treeCommit(), env: env ?? '(top level)' },
    settings,
    runtime: `plain \`workerd serve\` (native binary from the workerd npm package) running the production bundle; KV namespaces backed by bench/kv-service.worker.ts (SQLite Durable Object on local disk); Durable Objects on local disk; mock upstream in its own Node process; load from autocannon and Node's fetch (undici) in the bench process`,
  },
  latency,
  streams,
  streamThroughput,
  peer: { name: 'Portkey 1.15.2 (Node, ../shared/peers/portkey)', skipped: peer ? null : peerSkipped },
  peerWorker: {
    name: "Portkey 1.15.2's own Worker (workerd, ../shared/peers/portkey-workerd)",
    skipped: 'skipped' in portkeyModule ? portkeyModule.skipped : null,
  },
  coldStart,
  jsTime,
  cache,
  cpu: {
    concurrency: settings.cpuConcurrency,
    nonStream: nonStreamCpu,
    nonStreamPeers: nonStreamCpuPeers,
    stream: { ...streamCpu, pieces: largest },
    pacedStream: { ...pacedCpu, pieces: paced.pieces, delayMs: paced.delayMs },
    cacheHit: cacheHitCpu,
    floor: floorCpu,
    streamPeers: streamCpuPeers,
  },
  memory: memory ? { ...memory, rssAfterLoadMiB, proxyReference: memoryProxy } : null,
  size: {
    rawBytes: bundle.rawBytes,
    gzipBytes: bundle.gzipBytes,
    modules: moduleSizes(bundle.modules),
    workerAssets: facts.assets ? moduleSizes(workerAssets(facts.assets.directory)) : [],
    wrangler: bundle.wrangler,
    bytesBySource: bundle.bytesBySource,
    buildMs: bundle.buildMs,
    startup: {
      workerdListenMs: gateway.workerd.listenMs,
      floorListenMs: floor?.workerd.listenMs ?? null,
      firstRequestMs: gateway.firstRequestMs,
      wranglerStartupMs: bundle.wrangler?.startupMs ?? null,
    },
  },
  wranglerDev,
  featureCosts,
};
const results: BenchResults = { ...withoutTargets, targets: checkTargets(withoutTargets) };
const resultsPath = join(benchDir, settings.resultsFile);
writeFileSync(
  resultsPath,
  `${JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2)}\n`,
);

console.log(`\n## edge-llm-gateway bench (${settings.profile}), ${results.meta.date}\n`);
console.log(
  `${results.meta.machine.cpu}, ${results.meta.machine.cores} cores; ${results.meta.versions['workerd']}; node ${process.version}\n`,
);
console.log(renderReport(results));
log(`done in ${results.meta.seconds} s; figures in ${resultsPath}`);
