// Turns a run's figures into the issue-5 target checks and the Markdown tables printed at the end
// (and pasted into BENCHMARKS.md).
import type { LoadFigures } from './measure-latency.ts';
import type { BenchResults, TargetCheck } from './results.ts';

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0));
const plusMs = (v: number) => `${v >= 0 ? '+' : '−'}${ms(Math.abs(v))} ms`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** Checks the run against the issue's targets; a target whose figure was not measured is `met: null`. */
export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at = (c: number) => r.latency.find((l) => l.concurrency === c)?.byTarget;
  const c1 = at(1);
  if (c1?.['direct'] && c1['gateway']) {
    const added = c1['gateway'].p50 - c1['direct'].p50;
    checks.push({ target: 'added p50 latency, concurrency 1', goal: '≤ 0.3 ms', actual: plusMs(added), met: added <= 0.3, ...(added > 0.3 ? { missedBy: `${ms(added - 0.3)} ms (${(added / 0.3).toFixed(1)}× the budget)` } : {}) });
  } else checks.push({ target: 'added p50 latency, concurrency 1', goal: '≤ 0.3 ms', actual: 'not measured', met: null });
  for (const s of r.streams) {
    const d = s.byTarget['direct'];
    const g = s.byTarget['gateway'];
    if (!d || !g) continue;
    const added = g.ttfb.p50 - d.ttfb.p50;
    checks.push({ target: `added time to first byte, ${s.pieces}-chunk stream`, goal: '≤ 1 ms', actual: plusMs(added), met: added <= 1, ...(added > 1 ? { missedBy: `${ms(added - 1)} ms` } : {}) });
  }
  const c16 = at(16);
  if (c16?.['direct'] && c16['gateway']) {
    const ratio = c16['gateway'].rps / c16['direct'].rps;
    checks.push({ target: 'throughput through the gateway, concurrency 16', goal: '≥ 40% of direct', actual: `${pct(ratio)} (${int(c16['gateway'].rps)} vs ${int(c16['direct'].rps)} req/s)`, met: ratio >= 0.4, ...(ratio < 0.4 ? { missedBy: `${((0.4 - ratio) * 100).toFixed(0)} points (${int(0.4 * c16['direct'].rps)} req/s needed)` } : {}) });
  }
  const cpu = r.cpu.nonStream.msPerRequest;
  checks.push({ target: 'CPU per non-stream request (workerd process)', goal: '≤ 0.5 ms', actual: `${ms(cpu)} ms`, met: cpu <= 0.5, ...(cpu > 0.5 ? { missedBy: `${ms(cpu - 0.5)} ms (${(cpu / 0.5).toFixed(1)}× the budget)` } : {}) });
  const gz = r.size.gzipBytes / 1024;
  checks.push({ target: 'bundle size, gzip', goal: '≤ 150 KiB', actual: kib(r.size.gzipBytes), met: gz <= 150, ...(gz > 150 ? { missedBy: `${(gz - 150).toFixed(1)} KiB` } : {}) });
  return checks;
}

function latencyRows(latency: BenchResults['latency']): string[][] {
  const rows: string[][] = [];
  for (const { concurrency, byTarget } of latency) {
    const direct = byTarget['direct'];
    for (const [name, f] of Object.entries(byTarget) as [string, LoadFigures][]) {
      const vsDirect = direct && name !== 'direct' ? [plusMs(f.p50 - direct.p50), pct(f.rps / direct.rps)] : ['', ''];
      rows.push([name, String(concurrency), ms(f.p50), ms(f.p99), int(f.rps), ...vsDirect]);
    }
  }
  return rows;
}

/** The Markdown tables of a run: latency and throughput, streams, cache, CPU, memory and size, references, targets. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  out.push('### Non-stream: latency and throughput', table(['target', 'concurrency', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs direct', 'req/s vs direct'], latencyRows(r.latency)));

  const streamRows = r.streams.flatMap((s) => {
    const d = s.byTarget['direct'];
    return Object.entries(s.byTarget).map(([name, f]) => [
      name,
      String(s.pieces),
      ms(f.ttfb.p50),
      ms(f.ttfb.p99),
      ms(f.ttlb.p50),
      ms(f.ttlb.p99),
      d && name !== 'direct' ? plusMs(f.ttfb.p50 - d.ttfb.p50) : '',
      d && name !== 'direct' ? plusMs(f.ttlb.p50 - d.ttlb.p50) : '',
    ]);
  });
  out.push('### Streams (one at a time)', table(['target', 'chunks', 'TTFB p50 ms', 'TTFB p99 ms', 'TTLB p50 ms', 'TTLB p99 ms', 'TTFB vs direct', 'TTLB vs direct'], streamRows));

  if (r.cache.available) {
    const d = r.cache.byTarget['direct'];
    const rows = Object.entries(r.cache.byTarget).map(([name, f]) => [name === 'direct' ? 'upstream (direct)' : name, ms(f.p50), ms(f.p99), int(f.rps), d && name !== 'direct' ? plusMs(f.p50 - d.p50) : '']);
    out.push('### Response cache (concurrency 1, temperature 0)', table(['answered by', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs upstream'], rows));
  } else out.push('### Response cache', `not available: ${r.cache.reason}.`);

  const c = r.cpu;
  const cpuRows = [
    ['non-stream request', `${ms(c.nonStream.msPerRequest)} ms`, `${int(c.nonStream.count)} requests, concurrency ${c.concurrency}`],
    [`stream chunk, ${c.stream.pieces}-chunk streams at full speed`, `${ms(c.stream.msPerChunk)} ms`, `${c.stream.count} streams 4 at a time, ${ms(c.stream.msPerRequest)} ms per stream`],
    [`stream chunk, chunks ${c.pacedStream.delayMs} ms apart`, `${ms(c.pacedStream.msPerChunk)} ms`, `${c.pacedStream.count} streams of ${c.pacedStream.pieces} chunks 16 at a time, ${ms(c.pacedStream.msPerRequest)} ms per stream`],
    ['cache hit', c.cacheHit ? `${ms(c.cacheHit.msPerRequest)} ms` : 'not available', c.cacheHit ? `${int(c.cacheHit.count)} requests, includes the local KV service's work` : ''],
    ...Object.entries(c.floor).map(([name, f]) => [`reference: ${name} worker, per request`, `${ms(f.msPerRequest)} ms`, `${int(f.count)} requests`]),
  ];
  out.push('### CPU time of the workerd process (user + system, all threads)', table(['per', 'CPU', 'measured over'], cpuRows));

  const s = r.size;
  const sizeRows: string[][] = [];
  if (r.memory) {
    const m = r.memory;
    sizeRows.push(['workerd RSS, fresh process (one request served)', `${m.idleRssMiB.toFixed(1)} MiB`]);
    sizeRows.push([`workerd RSS, ${int(m.streams)} open streams`, `${m.heldRssMiB.toFixed(1)} MiB (+${m.perStreamKiB.toFixed(1)} KiB per stream; all open after ${ms(m.openMs)} ms)`]);
    if (m.heapUsedMiB) sizeRows.push([`isolate JS heap in use, idle → ${int(m.streams)} open streams`, `${m.heapUsedMiB.idle.toFixed(1)} → ${m.heapUsedMiB.held.toFixed(1)} MiB (Workers' limit: 128 MB per isolate)`]);
    sizeRows.push(['workerd RSS, 1 s after aborting them', `${m.afterRssMiB.toFixed(1)} MiB`]);
    if (m.proxyReference) {
      const p = m.proxyReference;
      sizeRows.push([`reference: bare fetch proxy, ${int(p.streams)} open streams`, `${p.idleRssMiB.toFixed(1)} → ${p.heldRssMiB.toFixed(1)} MiB (+${p.perStreamKiB.toFixed(1)} KiB per stream)`]);
    }
    sizeRows.push(['workerd RSS of the long-lived gateway after all load runs', `${m.rssAfterLoadMiB.toFixed(1)} MiB`]);
  }
  sizeRows.push(['bundle, raw / gzip', `${kib(s.rawBytes)} / ${kib(s.gzipBytes)}${s.wrangler?.uploadKiB ? ` (wrangler: ${s.wrangler.uploadKiB} / ${s.wrangler.gzipKiB} KiB)` : ''}`]);
  if (s.bytesBySource) sizeRows.push(['bundle by source (raw)', Object.entries(s.bytesBySource).map(([k, v]) => `${k} ${kib(v)}`).join(', ')]);
  sizeRows.push(['workerd spawn → listening (loads and compiles the bundle)', `${ms(s.startup.workerdListenMs)} ms${s.startup.floorListenMs === null ? '' : ` (reference workers: ${ms(s.startup.floorListenMs)} ms)`}`]);
  sizeRows.push(['first request after listening', `${ms(s.startup.firstRequestMs)} ms`]);
  sizeRows.push(['Worker startup time (wrangler)', s.startup.wranglerStartupMs === null ? 'not reported (wrangler prints it only on a real upload)' : `${ms(s.startup.wranglerStartupMs)} ms`]);
  out.push('### Memory, size, startup', table(['figure', 'value'], sizeRows));

  if (r.wranglerDev) {
    if ('error' in r.wranglerDev) out.push('### Reference: `wrangler dev`', `not measured: ${r.wranglerDev.error}`);
    else out.push(`### Reference: \`wrangler dev\` (ready after ${ms(r.wranglerDev.readyMs)} ms; its dev server dominates, not a target)`, table(['target', 'concurrency', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs direct', 'req/s vs direct'], latencyRows(r.wranglerDev.latency)));
  }

  out.push('### Targets', table(['target', 'goal', 'this run', 'met'], r.targets.map((t) => [t.target, t.goal, t.actual, t.met === null ? '—' : t.met ? 'yes' : `no, by ${t.missedBy ?? '?'}`])));
  return out.join('\n\n');
}
