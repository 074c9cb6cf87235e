// `npx node bench/profile.ts [--scenario non-stream|stream|cache] [--seconds 8] [--bundle-dir DIR] [--config FILE] [--env NAME]`
// Where the gateway's time goes: runs the production bundle in plain workerd with the inspector on,
// records V8 CPU profiles of the isolate under load, maps them through the bundle's source map, and
// prints self time per source (npm package, src/ file, runtime), the hottest functions and the
// inclusive time of the gateway's own functions, per request. Not part of `npm run bench` (the
// profiler slows the isolate down); the figures it prints are for finding costs, not for targets.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRun } from './autocannon-run.ts';
import { buildBundle, existingBundle } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { summarizeProfile, type Resolve } from './cpu-profile.ts';
import { connectInspector } from './inspector.ts';
import { startMock } from './mock-process.ts';
import { cpuTimeMs } from './proc.ts';
import { cacheableBody, completionBody, gatewayTarget, registerStreams, streamBody } from './requests.ts';
import { startGateway } from './servers.ts';
import { SOURCE_OPTIONS, sourceFrom } from './source.ts';
import { streamRun } from './stream-run.ts';
import { readWranglerFacts } from './wrangler-config.ts';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'non-stream' },
    seconds: { type: 'string', default: '8' },
    top: { type: 'string', default: '20' },
    ...SOURCE_OPTIONS,
  },
});
const scenario = args.scenario;
if (scenario !== 'non-stream' && scenario !== 'stream' && scenario !== 'cache')
  throw new Error(`--scenario must be non-stream, stream or cache (got ${scenario}).`);
const seconds = Number(args.seconds);
const { bundleDir, configPath, env } = sourceFrom(args);

const workDir = mkdtempSync(join(tmpdir(), 'edge-llm-gateway-profile-'));
removeOnExit(workDir);
const bundle = bundleDir ? existingBundle(bundleDir) : await buildBundle(configPath, join(workDir, 'bundle'), env);
const facts = readWranglerFacts(configPath, env);
const mock = await startMock();
await registerStreams(mock.url, [{ pieces: 500 }]);
const gateway = await startGateway({
  bundle,
  facts,
  mockUrl: mock.url,
  workDir: join(workDir, 'gateway'),
  inspectorAddress: '127.0.0.1:0',
});
const target = gatewayTarget('gateway', gateway.url);

// Bundle positions → original sources, through wrangler's source map of the main module.
const main = bundle.modules[0]!;
const mapFile = `${main.path}.map`;
const map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined;
if (!map) console.error(`no ${mapFile}: functions are named as in the bundle`);
const resolvePosition: Resolve = (url, line, column) => {
  if (!url.endsWith(main.name) || !map) return undefined;
  const entry = map.findEntry(line, column);
  if (!('originalSource' in entry)) return { source: `(bundle ${main.name})`, line };
  // Newer Node versions also give the original name (not in @types/node 22 yet).
  const name: unknown = Reflect.get(entry, 'name');
  return { source: entry.originalSource, line: entry.originalLine, ...(typeof name === 'string' && name !== '' ? { name } : {}) };
};

/** One load window of the scenario; returns how many requests (or stream chunks) it made. */
async function load(windowSeconds: number): Promise<{ requests: number; chunks: number }> {
  if (scenario === 'stream') {
    const until = performance.now() + windowSeconds * 1000;
    let requests = 0;
    let chunks = 0;
    while (performance.now() < until) {
      const timings = await streamRun(target, streamBody(500), 8, 4);
      requests += timings.length;
      chunks += timings.reduce((s, t) => s + t.frames, 0);
    }
    return { requests, chunks };
  }
  const sample = await loadRun(target, scenario === 'cache' ? cacheableBody() : completionBody(), {
    connections: 16,
    seconds: windowSeconds,
  });
  return { requests: sample.latencies.length, chunks: 0 };
}

const session = await connectInspector(`127.0.0.1:${gateway.workerd.ports['inspector']}`, 'gateway');
await session.send('Profiler.enable');
await session.send('Profiler.setSamplingInterval', { interval: 100 });
console.error(`profile: ${scenario}, warm-up 2 s, then ${seconds} s under the profiler (workerd pid ${gateway.pid})`);
await load(2);
const cpuBefore = cpuTimeMs(gateway.pid);
await session.send('Profiler.start');
const done = await load(seconds);
const stopped = await session.send('Profiler.stop');
const cpuMs = cpuTimeMs(gateway.pid) - cpuBefore;
session.close();
await gateway.workerd.stop();
await mock.stop();

const profile = (stopped as { profile: Profiler.Profile }).profile;
const top = Number(args.top);
const s = summarizeProfile(profile, resolvePosition, top);
const per = done.requests;
const perMs = (ms: number) => `${((ms / per) * 1000).toFixed(1)} µs`;
const jsMs = s.bySource.reduce((sum, x) => sum + x.ms, 0);
const lines = [
  `\n## Where the time goes: ${scenario}, ${per} requests${done.chunks ? ` (${done.chunks} chunks)` : ''} in ${seconds} s (profiler on)`,
  `workerd process CPU (/proc, all threads): ${perMs(cpuMs)} per request; in the isolate thread, per request: JavaScript ${perMs(jsMs)}, native runtime work outside JS "(program)" ${perMs(s.programMs)}, GC ${perMs(s.gcMs)}, idle ${perMs(s.idleMs)}`,
  '',
  '| self time by source | per request | share of JS |',
  '|---|---|---|',
  ...s.bySource.slice(0, top).map((x) => `| ${x.source} | ${perMs(x.ms)} | ${((x.ms / jsMs) * 100).toFixed(1)}% |`),
  '',
  '| hottest functions (self) | per request |',
  '|---|---|',
  ...s.topFunctions.map((x) => `| ${x.fn.replace(/\|/g, '\\|')} | ${perMs(x.ms)} |`),
  '',
  '| gateway functions (inclusive: on the stack) | per request |',
  '|---|---|',
  ...s.inclusive.map((x) => `| ${x.fn.replace(/\|/g, '\\|')} | ${perMs(x.ms)} |`),
];
console.log(lines.join('\n'));
