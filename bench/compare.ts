// `npx node bench/compare.ts --bundle-dir A --bundle-dir B [--bundle-dir C…] [--rounds 4] [--seconds 1] [--js-streams 3] [--relays] [--portkey-worker]`
// Several builds of the gateway side by side in one run (one workerd each, plus the bare proxy Worker),
// interleaved round by round: how a change moves the stream and latency figures, in ratios that one
// loaded machine can still compare. Build a variant with `npx wrangler deploy --dry-run --outdir DIR`.
// Prints one Markdown table; not part of `npm run bench`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { existingBundle } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { connectInspector } from './inspector.ts';
import { combine } from './measure-latency.ts';
import { loadRun } from './autocannon-run.ts';
import { measureJsTime } from './measure-js-time.ts';
import { portkeyWorkerModule, startPortkeyWorker } from './peer-portkey-worker.ts';
import { cpuPerStream } from './measure-cpu.ts';
import { startMock } from './mock-process.ts';
import { completionBody, gatewayTarget, registerStreams, streamBody, type Target } from './requests.ts';
import { interleave } from './rounds.ts';
import { RELAY_NAMES, startFloor, startGateway } from './servers.ts';
import { summarize } from './stats.ts';
import { streamRun, streamsFor } from './stream-run.ts';
import { SOURCE_OPTIONS, sourceFrom } from './source.ts';
import { readWranglerFacts } from './wrangler-config.ts';

const { values: args } = parseArgs({
  options: {
    ...SOURCE_OPTIONS,
    'bundle-dir': { type: 'string', multiple: true },
    rounds: { type: 'string', default: '4' },
    relays: { type: 'boolean', default: false },
    // Portkey's own Worker (../shared/peers/portkey-workerd) in the same run: the issue-24 ratios beside the A/B.
    'portkey-worker': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '1' },
    // 1,000-chunk streams per build for the isolate figure: each takes over a second, and three are a noisy sample.
    'js-streams': { type: 'string', default: '3' },
  },
});
const dirs = args['bundle-dir'] ?? [];
if (dirs.length < 1) throw new Error('Give at least one --bundle-dir.');
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const { configPath, env } = sourceFrom({ config: args.config, env: args.env });
const facts = readWranglerFacts(configPath, env);
const workDir = mkdtempSync(join(tmpdir(), 'edge-llm-gateway-compare-'));
removeOnExit(workDir);
const log = (line: string) => console.error(`[compare] ${line}`);

const mock = await startMock();
const PACED = { pieces: 100, delayMs: 5 };
const JS = { pieces: 1000, delayMs: 1, count: Number(args['js-streams']) };
await registerStreams(mock.url, [{ pieces: 50 }, { pieces: 500 }, PACED, JS]);
const servers = [];
for (const [i, dir] of dirs.entries()) {
  const name = `${i + 1}: ${basename(dir)}`;
  const server = await startGateway({
    bundle: existingBundle(dir),
    facts,
    mockUrl: mock.url,
    workDir: join(workDir, `g${i}`),
    inspectorAddress: '127.0.0.1:0',
  });
  servers.push({ name, server, target: gatewayTarget(name, server.url) });
}
const floor = await startFloor({ facts, mockUrl: mock.url, workDir: join(workDir, 'floor') });
const proxy = gatewayTarget('bare proxy', floor.urls.proxy);
// --relays: the reference stream relays too (floor.worker.ts), what each streaming primitive costs.
const relays = args.relays ? RELAY_NAMES.map((n) => gatewayTarget(n, floor.urls[n])) : [];
const portkeyModule = args['portkey-worker'] ? portkeyWorkerModule() : undefined;
if (portkeyModule && 'skipped' in portkeyModule) log(portkeyModule.skipped);
const portkey =
  portkeyModule && 'path' in portkeyModule
    ? await startPortkeyWorker({ modulePath: portkeyModule.path, mockUrl: mock.url, workDir: join(workDir, 'portkey-worker') })
    : undefined;
const targets: Target[] = [proxy, ...relays, ...(portkey ? [portkey.target] : []), ...servers.map((s) => s.target)];
const pids = new Map<string, number>([
  ...(portkey ? [[portkey.target.name, portkey.pid] as [string, number]] : []),
  ...[proxy, ...relays].map((t) => [t.name, floor.pid] as [string, number]),
  ...servers.map((s) => [s.name, s.server.pid] as [string, number]),
]);
const byName = new Map(targets.map((t) => [t.name, t]));
const names = [...byName.keys()];
for (const t of targets) await loadRun(t, completionBody(), { connections: 8, seconds: 0.5 });

log('non-stream c=1');
const c1 = await interleave(names, rounds, (n) => loadRun(byName.get(n)!, completionBody(), { connections: 1, seconds }));
log('streams of 50 chunks, c=1');
const s50 = await interleave(names, rounds, (n) => streamRun(byName.get(n)!, streamBody(50), 15));
log('streams/s, c=16');
const sps = await interleave(names, rounds, (n) => streamsFor(byName.get(n)!, streamBody(50), seconds, 16));
log('CPU per chunk');
const paced = await interleave(names, 2, (n) =>
  cpuPerStream(pids.get(n)!, byName.get(n)!, streamBody(PACED.pieces, PACED.delayMs), 16, 16),
);
const fast = await interleave(names, 2, (n) => cpuPerStream(pids.get(n)!, byName.get(n)!, streamBody(500), 12, 4));
log('isolate time per 1,000-chunk stream (inspector)');
const js = new Map<string, string>();
for (const s of servers) {
  const session = await connectInspector(`127.0.0.1:${s.server.workerd.ports['inspector']}`, 'gateway');
  const f = await measureJsTime(session, s.server.pid, s.target, JS);
  session.close();
  js.set(s.name, `${f.jsMs.toFixed(2)} + ${f.gcMs.toFixed(2)} / ${f.threadCpuMs.toFixed(1)}`);
}

const f = (v: number, d = 3) => v.toFixed(d);
const perChunk = (list: { cpuMs: number; msPerChunk?: number }[]) => {
  const frames = list.reduce((s, x) => s + x.cpuMs / (x.msPerChunk ?? 1), 0);
  return list.reduce((s, x) => s + x.cpuMs, 0) / frames;
};
const rows = names.map((n) => {
  const lat = combine(c1.get(n)!);
  const st = s50.get(n)!.flat();
  const thr = sps.get(n)!;
  return [
    n,
    f(lat.p50),
    f(summarize(st.map((x) => x.ttfbMs)).p50),
    f(summarize(st.map((x) => x.ttlbMs)).p50, 2),
    f((thr.reduce((s, x) => s + x.streams, 0) * 1000) / thr.reduce((s, x) => s + x.elapsedMs, 0), 0),
    f(perChunk(paced.get(n)!)),
    f(perChunk(fast.get(n)!)),
    js.get(n) ?? '—',
  ];
});
const head = [
  'target',
  'p50 c=1 ms',
  'TTFB 50 ms',
  'TTLB 50 ms',
  'streams/s c=16',
  'CPU/chunk paced ms',
  'CPU/chunk 500 fast ms',
  'JS + GC / thread CPU ms per 1k-chunk stream',
];
console.log([`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
for (const s of servers) await s.server.workerd.stop();
await floor.workerd.stop();
await portkey?.workerd.stop();
await mock.stop();
