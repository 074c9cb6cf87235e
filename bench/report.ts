// Turns a run's figures into the issue-5 target checks and the Markdown tables printed at the end
// (and pasted into BENCHMARKS.md).
import { OTLP, PLAIN, REQUEST_LOG, RESUMABLE } from './feature-costs.ts';
import type { LoadFigures } from './measure-latency.ts';
import type { BenchResults, TargetCheck } from './results.ts';

const ms = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '—' : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0);
const plusMs = (v: number) => `${v >= 0 ? '+' : '−'}${ms(Math.abs(v))} ms`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const PROXY = 'floor: proxy';
const PEER = 'Portkey';
const PEER_WORKER = 'Portkey Worker';
const mib = (v: number) => `${v.toFixed(1)} MiB`;

/** A ratio target: `actual` must be at least (`atLeast`) or at most `goal`. */
function ratioCheck(target: string, goal: number, atLeast: boolean, actual: number | undefined, detail: string): TargetCheck {
  const goalText = `${atLeast ? '≥' : '≤'} ${goal}×`;
  if (actual === undefined || !Number.isFinite(actual)) return { target, goal: goalText, actual: 'not measured', met: null };
  const met = atLeast ? actual >= goal : actual <= goal;
  return {
    target,
    goal: goalText,
    actual: `${actual.toFixed(2)}× (${detail})`,
    met,
    ...(met
      ? {}
      : {
          missedBy: `${Math.abs(actual - goal).toFixed(2)}× (${atLeast ? `${((1 - actual / goal) * 100).toFixed(0)}% short of it` : `${((actual / goal - 1) * 100).toFixed(0)}% over it`})`,
        }),
  };
}

/** A difference target in ms over a reference row. */
function addedCheck(target: string, budgetMs: number, added: number | undefined): TargetCheck {
  if (added === undefined || !Number.isFinite(added)) return { target, goal: `≤ ${budgetMs} ms`, actual: 'not measured', met: null };
  return {
    target,
    goal: `≤ ${budgetMs} ms`,
    actual: plusMs(added),
    met: added <= budgetMs,
    ...(added > budgetMs ? { missedBy: `${ms(added - budgetMs)} ms` } : {}),
  };
}

/** Issue 16's targets: each a ratio to the bare proxy Worker or to Portkey, measured in the same run. */
function peerTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const at = (c: number) => r.latency.find((l) => l.concurrency === c)?.byTarget;
  const c1 = at(1);
  const c16 = at(16);
  const checks: TargetCheck[] = [];
  const p1 = c1?.[PROXY];
  checks.push(
    addedCheck(
      'gateway p50 over the bare proxy Worker, concurrency 1',
      0.3,
      c1?.['gateway'] && p1 ? c1['gateway'].p50 - p1.p50 : undefined,
    ),
  );
  for (const s of r.streams) {
    const p = s.byTarget[PROXY];
    const g = s.byTarget['gateway'];
    checks.push(
      addedCheck(`stream time to first byte over the bare proxy, ${s.pieces} chunks`, 1, g && p ? g.ttfb.p50 - p.ttfb.p50 : undefined),
    );
  }
  const g16 = c16?.['gateway'];
  const k16 = c16?.[PEER];
  checks.push(
    ratioCheck(
      'non-stream req/s at concurrency 16, gateway ÷ Portkey',
      3,
      true,
      g16 && k16 ? g16.rps / k16.rps : undefined,
      g16 && k16 ? `${int(g16.rps)} vs ${int(k16.rps)}` : '',
    ),
  );
  const st = r.streamThroughput.byTarget;
  const gs = st['gateway'];
  const ks = st[PEER];
  checks.push(
    ratioCheck(
      `streams/s (${r.streamThroughput.pieces} chunks) at concurrency ${r.streamThroughput.concurrency}, gateway ÷ Portkey`,
      3,
      true,
      gs && ks ? gs.streamsPerSecond / ks.streamsPerSecond : undefined,
      gs && ks ? `${int(gs.streamsPerSecond)} vs ${int(ks.streamsPerSecond)}` : '',
    ),
  );
  const proxyCpu = r.cpu.streamPeers['proxy'];
  const chunk = (f: { msPerChunk?: number } | undefined) => f?.msPerChunk;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a / b : undefined);
  checks.push(
    ratioCheck(
      `workerd CPU per chunk, chunks ${r.cpu.pacedStream.delayMs} ms apart, gateway ÷ bare proxy`,
      1.5,
      false,
      ratio(chunk(r.cpu.pacedStream), chunk(proxyCpu?.paced)),
      `${ms(chunk(r.cpu.pacedStream))} vs ${ms(chunk(proxyCpu?.paced))} ms`,
    ),
  );
  checks.push(
    ratioCheck(
      `workerd CPU per chunk, ${r.cpu.stream.pieces}-chunk streams at full speed, gateway ÷ bare proxy`,
      1.5,
      false,
      ratio(chunk(r.cpu.stream), chunk(proxyCpu?.stream)),
      `${ms(chunk(r.cpu.stream))} vs ${ms(chunk(proxyCpu?.stream))} ms`,
    ),
  );
  const js = r.jsTime['gateway'];
  if (js) {
    checks.push({
      target: `isolate JavaScript per ${int(js.pieces)}-chunk stream (Free plan: 10 ms CPU per request)`,
      goal: '≤ 10 ms (aim)',
      actual: `${ms(js.jsMs)} ms (+ GC ${ms(js.gcMs)} ms)`,
      met: js.jsMs + js.gcMs <= 10,
      ...(js.jsMs + js.gcMs > 10 ? { missedBy: `${ms(js.jsMs + js.gcMs - 10)} ms` } : {}),
    });
  }
  return checks;
}

/** An absolute target: `value` at most `limit` (both in `unit`), e.g. a cold start within another Worker's plus a budget. */
function limitCheck(
  target: string,
  goal: string,
  value: number | undefined,
  limit: number | undefined,
  unit: string,
  detail: string,
): TargetCheck {
  if (value === undefined || limit === undefined || !Number.isFinite(value) || !Number.isFinite(limit))
    return { target, goal, actual: 'not measured', met: null };
  const fmt = (v: number) => (unit === 'ms' ? ms(v) : v.toFixed(1));
  const met = value <= limit;
  return {
    target,
    goal,
    actual: `${fmt(value)} ${unit} (${detail})`,
    met,
    ...(met ? {} : { missedBy: `${fmt(value - limit)} ${unit} (${((value / limit - 1) * 100).toFixed(0)}% over ${fmt(limit)} ${unit})` }),
  };
}

/** Issue 24's targets: the gateway against Portkey's own Worker on the same workerd, and its cold start against the bare proxy's. */
function peerWorkerTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const cold = r.coldStart?.byTarget ?? {};
  const g = cold['gateway'];
  const p = cold['proxy'];
  const k = cold[PEER_WORKER];
  const n = r.coldStart ? ` (median of ${r.coldStart.samples})` : '';
  const plus = (v: number | undefined, by: number) => (v === undefined ? undefined : v + by);
  const main = r.size.modules[0];
  const checks: TargetCheck[] = [
    limitCheck(
      `cold start: spawn → first answer${n}, gateway vs Portkey Worker`,
      "≤ Portkey Worker's",
      g?.firstAnswerMs,
      k?.firstAnswerMs,
      'ms',
      `Portkey Worker ${ms(k?.firstAnswerMs)} ms`,
    ),
    limitCheck(
      `cold start: spawn → first answer${n}, gateway vs bare proxy (aim)`,
      '≤ bare proxy + 100 ms',
      g?.firstAnswerMs,
      plus(p?.firstAnswerMs, 100),
      'ms',
      `bare proxy ${ms(p?.firstAnswerMs)} ms`,
    ),
    limitCheck(
      `startup CPU: process CPU at the first answer${n}`,
      "≤ bare proxy's + 100 ms",
      g?.cpuMs,
      plus(p?.cpuMs, 100),
      'ms',
      `bare proxy ${ms(p?.cpuMs)} ms`,
    ),
    limitCheck(
      `main module (${main?.name ?? '?'}), gzip`,
      '≤ 400 KiB',
      main && main.gzipBytes / 1024,
      400,
      'KiB',
      `raw ${main ? kib(main.rawBytes) : '?'}`,
    ),
    limitCheck(
      `RSS after the first answer${n}`,
      "≤ Portkey Worker's + 20 MiB",
      g?.rssMiB,
      plus(k?.rssMiB, 20),
      'MiB',
      `Portkey Worker ${k ? mib(k.rssMiB) : '?'}`,
    ),
  ];
  const chunk = (f: { msPerChunk?: number } | undefined) => f?.msPerChunk;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a / b : undefined);
  const kCpu = r.cpu.streamPeers[PEER_WORKER];
  checks.push(
    ratioCheck(
      `CPU per chunk, chunks ${r.cpu.pacedStream.delayMs} ms apart, gateway ÷ Portkey Worker`,
      0.7,
      false,
      ratio(chunk(r.cpu.pacedStream), chunk(kCpu?.paced)),
      `${ms(chunk(r.cpu.pacedStream))} vs ${ms(chunk(kCpu?.paced))} ms`,
    ),
    ratioCheck(
      `CPU per chunk, ${r.cpu.stream.pieces}-chunk streams at full speed, gateway ÷ Portkey Worker`,
      0.7,
      false,
      ratio(chunk(r.cpu.stream), chunk(kCpu?.stream)),
      `${ms(chunk(r.cpu.stream))} vs ${ms(chunk(kCpu?.stream))} ms`,
    ),
  );
  const gs = r.streamThroughput.byTarget['gateway'];
  const ks = r.streamThroughput.byTarget[PEER_WORKER];
  checks.push(
    ratioCheck(
      `streams/s (${r.streamThroughput.pieces} chunks) at concurrency ${r.streamThroughput.concurrency}, gateway ÷ Portkey Worker`,
      1.4,
      true,
      gs && ks ? gs.streamsPerSecond / ks.streamsPerSecond : undefined,
      gs && ks ? `${int(gs.streamsPerSecond)} vs ${int(ks.streamsPerSecond)}` : '',
    ),
  );
  const kReq = r.cpu.nonStreamPeers[PEER_WORKER];
  checks.push(
    ratioCheck(
      'CPU per non-stream request, gateway ÷ Portkey Worker',
      0.9,
      false,
      ratio(r.cpu.nonStream.msPerRequest, kReq?.msPerRequest),
      `${ms(r.cpu.nonStream.msPerRequest)} vs ${ms(kReq?.msPerRequest)} ms`,
    ),
  );
  const c16 = r.latency.find((l) => l.concurrency === 16)?.byTarget;
  const g16 = c16?.['gateway'];
  const k16 = c16?.[PEER_WORKER];
  checks.push(
    ratioCheck(
      'non-stream req/s at concurrency 16, gateway ÷ Portkey Worker',
      1.1,
      true,
      g16 && k16 ? g16.rps / k16.rps : undefined,
      g16 && k16 ? `${int(g16.rps)} vs ${int(k16.rps)}` : '',
    ),
  );
  return checks.map((c) => ({ ...c, target: `${c.target} [issue 24]` }));
}

/** Checks the run against the issues' targets; a target whose figure was not measured is `met: null`. */
export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [...peerWorkerTargets(r), ...peerTargets(r)];
  const at = (c: number) => r.latency.find((l) => l.concurrency === c)?.byTarget;
  const c1 = at(1);
  if (c1?.['direct'] && c1['gateway']) {
    const added = c1['gateway'].p50 - c1['direct'].p50;
    checks.push({
      target: 'added p50 latency over direct, concurrency 1',
      goal: '≤ 0.3 ms',
      actual: plusMs(added),
      met: added <= 0.3,
      ...(added > 0.3 ? { missedBy: `${ms(added - 0.3)} ms (${(added / 0.3).toFixed(1)}× the budget)` } : {}),
    });
  } else checks.push({ target: 'added p50 latency, concurrency 1', goal: '≤ 0.3 ms', actual: 'not measured', met: null });
  for (const s of r.streams) {
    const d = s.byTarget['direct'];
    const g = s.byTarget['gateway'];
    if (!d || !g) continue;
    const added = g.ttfb.p50 - d.ttfb.p50;
    checks.push({
      target: `added time to first byte over direct, ${s.pieces}-chunk stream`,
      goal: '≤ 1 ms',
      actual: plusMs(added),
      met: added <= 1,
      ...(added > 1 ? { missedBy: `${ms(added - 1)} ms` } : {}),
    });
  }
  const c16 = at(16);
  if (c16?.['direct'] && c16['gateway']) {
    const ratio = c16['gateway'].rps / c16['direct'].rps;
    checks.push({
      target: 'throughput through the gateway, concurrency 16',
      goal: '≥ 40% of direct',
      actual: `${pct(ratio)} (${int(c16['gateway'].rps)} vs ${int(c16['direct'].rps)} req/s)`,
      met: ratio >= 0.4,
      ...(ratio < 0.4 ? { missedBy: `${((0.4 - ratio) * 100).toFixed(0)} points (${int(0.4 * c16['direct'].rps)} req/s needed)` } : {}),
    });
  }
  const cpu = r.cpu.nonStream.msPerRequest;
  checks.push({
    target: 'CPU per non-stream request (workerd process)',
    goal: '≤ 0.5 ms',
    actual: `${ms(cpu)} ms`,
    met: cpu <= 0.5,
    ...(cpu > 0.5 ? { missedBy: `${ms(cpu - 0.5)} ms (${(cpu / 0.5).toFixed(1)}× the budget)` } : {}),
  });
  const gz = r.size.gzipBytes / 1024;
  checks.push({
    target: 'bundle size, gzip',
    goal: '≤ 150 KiB',
    actual: kib(r.size.gzipBytes),
    met: gz <= 150,
    ...(gz > 150 ? { missedBy: `${(gz - 150).toFixed(1)} KiB` } : {}),
  });
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

/** Issue 16's table: direct, the bare proxy Worker, the gateway and Portkey side by side, from this run. */
function sideBySide(r: BenchResults): string {
  const names = ['direct', PROXY, 'gateway', PEER_WORKER, PEER];
  const c1 = r.latency.find((l) => l.concurrency === 1)?.byTarget ?? {};
  const c16 = r.latency.find((l) => l.concurrency === 16)?.byTarget ?? {};
  const row = (figure: string, value: (name: string) => string | undefined) => [figure, ...names.map((n) => value(n) ?? '—')];
  const rows = [
    row('non-stream p50 ms, concurrency 1', (n) => c1[n] && ms(c1[n].p50)),
    ...r.streams.flatMap((s) => [
      row(`stream (${s.pieces} chunks) time to first byte p50 ms, c=1`, (n) => s.byTarget[n] && ms(s.byTarget[n].ttfb.p50)),
      row(`stream (${s.pieces} chunks) time to last byte p50 ms, c=1`, (n) => s.byTarget[n] && ms(s.byTarget[n].ttlb.p50)),
    ]),
    row('non-stream req/s, concurrency 16', (n) => c16[n] && int(c16[n].rps)),
    row(`process CPU per non-stream request ms, concurrency ${r.cpu.concurrency}`, (n) => {
      const f = n === 'gateway' ? r.cpu.nonStream : n === PROXY ? r.cpu.floor['proxy'] : r.cpu.nonStreamPeers[n];
      return f && ms(f.msPerRequest);
    }),
    row(
      `streams/s (${r.streamThroughput.pieces} chunks), concurrency ${r.streamThroughput.concurrency}`,
      (n) => r.streamThroughput.byTarget[n] && int(r.streamThroughput.byTarget[n].streamsPerSecond),
    ),
    row(
      `process CPU per chunk ms, chunks ${r.cpu.pacedStream.delayMs} ms apart (${r.cpu.pacedStream.pieces}-chunk streams, 16 at a time)`,
      (n) => {
        const f = n === 'gateway' ? r.cpu.pacedStream : r.cpu.streamPeers[n === PROXY ? 'proxy' : n]?.paced;
        return f && ms(f.msPerChunk);
      },
    ),
    row(`process CPU per chunk ms, ${r.cpu.stream.pieces}-chunk streams at full speed (4 at a time)`, (n) => {
      const f = n === 'gateway' ? r.cpu.stream : r.cpu.streamPeers[n === PROXY ? 'proxy' : n]?.stream;
      return f && ms(f.msPerChunk);
    }),
  ];
  for (const [n, label] of [
    ['gateway', 'gateway'],
    ['proxy', PROXY],
  ] as const) {
    const js = r.jsTime[n];
    if (!js) continue;
    // The bare proxy runs no JavaScript per chunk: its thread's CPU is the runtime pumping bytes, and its "JS" share only idle time the profiler cannot tell apart.
    const jsPart = n === 'proxy' ? '—' : `${ms(js.jsMs)} + ${ms(js.gcMs)}`;
    rows.push(
      row(
        `isolate thread per ${int(js.pieces)}-chunk stream, chunks ${js.delayMs} ms apart: JS + GC / all its CPU, ms (inspector, /proc)`,
        (name) => (name === label ? `${jsPart} / ${ms(js.threadCpuMs)}` : undefined),
      ),
    );
  }
  const relayJs = Object.entries(r.jsTime).filter(([n]) => n.startsWith('relay'));
  const relayNote =
    relayJs.length > 0
      ? `\n\nThe same isolate figures for the stream relays (floor.worker.ts): ${relayJs.map(([n, js]) => `${n} ${ms(js.jsMs)} + ${ms(js.gcMs)} / ${ms(js.threadCpuMs)} ms`).join('; ')}.`
      : '';
  const merged = new Map<string, string[]>();
  for (const rw of rows) {
    const prior = merged.get(rw[0]!);
    merged.set(rw[0]!, prior ? prior.map((v, i) => (v === '—' ? rw[i]! : v)) : rw);
  }
  const note = r.peer.skipped
    ? `\n\nPortkey (Node): not measured (${r.peer.skipped}).`
    : `\n\nPortkey (Node): ${r.peer.name}; its CPU is its Node process's, the others' their workerd process's.`;
  const workerNote = r.peerWorker.skipped
    ? `\n\nPortkey Worker: not measured (${r.peerWorker.skipped}).`
    : `\n\nPortkey Worker: ${r.peerWorker.name}, in a workerd process of its own; it waits ~25 ms before relaying a stream's first chunk by design, so compare its CPU and throughput, not its time to first byte.`;
  return (
    table(['figure', 'direct', 'bare proxy Worker', 'gateway', 'Portkey Worker', 'Portkey (Node)'], [...merged.values()]) +
    workerNote +
    note +
    relayNote
  );
}

/** Issue 24's cold-start table: fresh processes of the bare proxy, the gateway and Portkey's Worker. */
function coldStartTable(r: BenchResults): string {
  const cold = r.coldStart;
  if (!cold) return 'not measured in this profile.';
  const names = ['proxy', 'gateway', PEER_WORKER].filter((n) => cold.byTarget[n]);
  const range = (n: string, pick: (s: { firstAnswerMs: number; cpuMs: number }) => number, format: (v: number) => string = ms) => {
    const values = cold.byTarget[n]!.samples.map(pick);
    return values.length > 1 ? ` (${format(Math.min(...values))}–${format(Math.max(...values))})` : '';
  };
  const row = (figure: string, value: (f: NonNullable<BenchResults['coldStart']>['byTarget'][string], n: string) => string) => [
    figure,
    ...names.map((n) => value(cold.byTarget[n]!, n)),
  ];
  const size = (m: { rawBytes: number; gzipBytes: number } | undefined) => (m ? `${kib(m.rawBytes)} / ${kib(m.gzipBytes)}` : '—');
  // /proc counts CPU in 10 ms ticks: below one tick is all it can say.
  const cpu = (v: number) => (v === 0 ? '< 10' : int(v));
  const rows = [
    row('spawn → listening, ms', (f) => ms(f.listenMs)),
    row('spawn → first answered chat completion, ms', (f, n) => `${ms(f.firstAnswerMs)}${range(n, (s) => s.firstAnswerMs)}`),
    row('process CPU at that moment (utime + stime), ms', (f, n) => `${cpu(f.cpuMs)}${range(n, (s) => s.cpuMs, cpu)}`),
    row('RSS after the first answer', (f) => mib(f.rssMiB)),
    row('main module, raw / gzip', (f) => `${f.modules[0]?.name ?? '?'}: ${size(f.modules[0])}`),
    row('other modules, raw / gzip', (f) =>
      f.modules.length > 1
        ? f.modules
            .slice(1)
            .map((m) => `${m.name}: ${size(m)}`)
            .join('; ')
        : 'none',
    ),
    row('static assets it reads itself at first use, raw / gzip (not modules)', (_, n) =>
      n === 'gateway' && r.size.workerAssets?.length ? r.size.workerAssets.map((m) => `${m.name}: ${size(m)}`).join('; ') : '—',
    ),
    row('first token count after the first answer: latency / process CPU, ms (one-time)', (f) =>
      f.tokenCount ? `${ms(f.tokenCount.ms)} / ${cpu(f.tokenCount.cpuMs)}` : '—',
    ),
  ];
  const label = (n: string) => (n === 'proxy' ? 'bare proxy Worker' : n);
  return `${table(['figure', ...names.map(label)], rows)}\n\nMedian of ${cold.samples} fresh \`workerd serve\` process(es) per Worker, interleaved${cold.samples > 1 ? ' (range in brackets)' : ''}, load average ${cold.loadAverage1m.toFixed(2)} when they began; CPU in 10 ms ticks. The bare proxy's module is floor.worker.ts (all the reference Workers, one served).`;
}

/** Issues 27 and 28: the request log, OTLP export and resumable streams, each against the gateway without it. */
function featureCostTables(r: BenchResults): string[] {
  const f = r.featureCosts;
  if (!f) return [];
  const settings = r.meta.settings.featureCosts;
  const plain = f.nonStream.byVariant[PLAIN];
  const label: Record<string, string> = {
    [PLAIN]: 'plain (the JSON log line only)',
    [REQUEST_LOG]: 'request log on (Queue → D1)',
    [OTLP]: 'OTLP export on (every request traced)',
  };
  const rows = Object.entries(f.nonStream.byVariant).map(([name, v]) => [
    label[name] ?? name,
    `${ms(v.cpu.msPerRequest)} ms`,
    plain && name !== PLAIN ? plusMs(v.cpu.msPerRequest - plain.cpu.msPerRequest) : '',
    ms(v.latency.p50),
    plain && name !== PLAIN ? plusMs(v.latency.p50 - plain.latency.p50) : '',
    ms(v.latency.p99),
  ]);
  const pipeline = f.nonStream.requestLogPipeline;
  if (pipeline)
    rows.splice(Object.keys(f.nonStream.byVariant).indexOf(REQUEST_LOG) + 1, 0, [
      '↳ its Queue, consumer and D1 (their own process)',
      `${ms(pipeline.msPerRequest)} ms`,
      '',
      '',
      '',
      '',
    ]);
  const logged = r.cpu.floor['logged'];
  const minimal = r.cpu.floor['minimal'];
  const notes = [
    `Each row is a fresh \`workerd serve\` process of the same bundle; rows take turns round by round${settings ? ` (${settings.rounds} rounds)` : ''}. CPU: user + system of the process over ${int(plain?.cpu.count ?? 0)} requests per row at concurrency ${f.nonStream.cpuConcurrency}; latency at concurrency 1.`,
    `Every row writes the JSON log line (console.log; workerd's stdout goes to /dev/null here)${logged && minimal ? `: its own cost is the reference workers' logged − minimal, ${plusMs(logged.msPerRequest - minimal.msPerRequest)} CPU per request` : ''}.`,
    `Request log: the row is the gateway's own process, the Queue send under waitUntil (an HTTP request to the Queue's process); the line below it is that process, the Queue (workerd's bundled Queues Worker, a SQLite Durable Object on disk), the same Worker's queue() consumer (batches of up to 100, its own invocations) and D1 (workerd's bundled D1 Worker), per request${pipeline ? `, over the ${int(pipeline.rows)} rows in D1 at the end` : ''}. Deployed, the Queue and D1 are Cloudflare's and only the consumer's invocations are the Worker's, so that line is an upper bound of what the log adds after the answer.`,
    "OTLP export: one OTLP/HTTP JSON POST per request under waitUntil to the mock's /v1/traces (the collector's own work is another process's). p50 is the client's: work under waitUntil shows there only through the CPU it takes from the next requests.",
  ];
  const out = [
    '### Feature costs: request log and OTLP export (non-stream, per request)',
    table(['gateway', 'CPU per request', 'vs plain', 'p50 ms', 'vs plain', 'p99 ms'], rows),
    notes.join(' '),
  ];
  const s = f.streams;
  const base = s.byMode[PLAIN];
  const streamRows = Object.entries(s.byMode).map(([mode, m]) => [
    mode === RESUMABLE ? 'resumable (`x-gateway-resumable: true`)' : 'plain',
    ms(m.ttfb.p50),
    base && mode !== PLAIN ? plusMs(m.ttfb.p50 - base.ttfb.p50) : '',
    ms(m.ttlb.p50),
    `${ms(m.cpu.msPerChunk)} ms`,
    base && mode !== PLAIN ? plusMs((m.cpu.msPerChunk ?? Number.NaN) - (base.cpu.msPerChunk ?? Number.NaN)) : '',
    `${ms(m.cpu.msPerRequest)} ms`,
  ]);
  out.push(
    `### Feature costs: resumable streams (${s.pieces} chunks)`,
    table(['stream', 'TTFB p50 ms', 'vs plain', 'TTLB p50 ms', 'CPU per chunk', 'vs plain', 'CPU per stream'], streamRows),
    `Same gateway process, modes interleaved. Time to first/last byte: streams one at a time; CPU: ${int(base?.cpu.count ?? 0)} streams per mode, ${s.cpuConcurrency} at a time, per SSE frame received. Resumable: a new Durable Object per stream (RESUMABLE, in the same process, SQLite-backed on local disk) runs the call and relays every event with an id, keeping it for a reconnecting client; the alarm that forgets it (RESUMABLE_KEEP_SECONDS later) is not in the figure. Deployed, reaching a new object may add a network hop that no local figure shows.`,
  );
  return out;
}

/** The Markdown tables of a run: side by side, latency and throughput, streams, cache, CPU, memory and size, references, targets. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  out.push('### Side by side (one run)', sideBySide(r));
  out.push('### Cold start: a fresh process to its first answer', coldStartTable(r));
  out.push(
    '### Non-stream: latency and throughput',
    table(['target', 'concurrency', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs direct', 'req/s vs direct'], latencyRows(r.latency)),
  );

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
  out.push(
    '### Streams (one at a time)',
    table(['target', 'chunks', 'TTFB p50 ms', 'TTFB p99 ms', 'TTLB p50 ms', 'TTLB p99 ms', 'TTFB vs direct', 'TTLB vs direct'], streamRows),
  );

  if (r.cache.available) {
    const d = r.cache.byTarget['direct'];
    const rows = Object.entries(r.cache.byTarget).map(([name, f]) => [
      name === 'direct' ? 'upstream (direct)' : name,
      ms(f.p50),
      ms(f.p99),
      int(f.rps),
      d && name !== 'direct' ? plusMs(f.p50 - d.p50) : '',
    ]);
    out.push(
      '### Response cache (concurrency 1, temperature 0)',
      table(['answered by', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs upstream'], rows),
    );
  } else out.push('### Response cache', `not available: ${r.cache.reason}.`);

  const c = r.cpu;
  const cpuRows = [
    ['non-stream request', `${ms(c.nonStream.msPerRequest)} ms`, `${int(c.nonStream.count)} requests, concurrency ${c.concurrency}`],
    [
      `stream chunk, ${c.stream.pieces}-chunk streams at full speed`,
      `${ms(c.stream.msPerChunk)} ms`,
      `${c.stream.count} streams 4 at a time, ${ms(c.stream.msPerRequest)} ms per stream`,
    ],
    [
      `stream chunk, chunks ${c.pacedStream.delayMs} ms apart`,
      `${ms(c.pacedStream.msPerChunk)} ms`,
      `${c.pacedStream.count} streams of ${c.pacedStream.pieces} chunks 16 at a time, ${ms(c.pacedStream.msPerRequest)} ms per stream`,
    ],
    [
      'cache hit',
      c.cacheHit ? `${ms(c.cacheHit.msPerRequest)} ms` : 'not available',
      c.cacheHit ? `${int(c.cacheHit.count)} requests, includes the local KV service's work` : '',
    ],
    ...Object.entries(c.floor).map(([name, f]) => [
      `reference: ${name} worker, per request`,
      `${ms(f.msPerRequest)} ms`,
      `${int(f.count)} requests`,
    ]),
  ];
  out.push('### CPU time of the workerd process (user + system, all threads)', table(['per', 'CPU', 'measured over'], cpuRows));
  const relayRows = Object.entries(c.streamPeers)
    .filter(([name]) => name.startsWith('relay'))
    .map(([name, f]) => [name, `${ms(f.paced.msPerChunk)} ms`, `${ms(f.stream.msPerChunk)} ms`]);
  if (relayRows.length > 0) {
    const proxy = c.streamPeers['proxy'];
    out.push(
      '### Stream relays: CPU per chunk of the workerd process (floor.worker.ts; what each streaming primitive costs)',
      table(
        ['relay', `chunks ${c.pacedStream.delayMs} ms apart`, `${c.stream.pieces}-chunk streams at full speed`],
        [
          ...(proxy
            ? [
                [
                  'bare proxy (runtime pumps the body, no JS per chunk)',
                  `${ms(proxy.paced.msPerChunk)} ms`,
                  `${ms(proxy.stream.msPerChunk)} ms`,
                ],
              ]
            : []),
          ...relayRows,
          ['gateway', `${ms(c.pacedStream.msPerChunk)} ms`, `${ms(c.stream.msPerChunk)} ms`],
        ],
      ),
      'relayPull: a JS reader and a JS ReadableStream (one enqueue per read); relayByob: the same with a BYOB reader into one reused buffer; relayIdentity: a JS reader writing to the native IdentityTransformStream; relayTransform: `pipeThrough` a JS TransformStream; relayParse: relayTransform that decodes, parses each `data:` line as JSON and re-serialises it.',
    );
  }

  const s = r.size;
  const sizeRows: string[][] = [];
  if (r.memory) {
    const m = r.memory;
    sizeRows.push(['workerd RSS, fresh process (one request served)', `${m.idleRssMiB.toFixed(1)} MiB`]);
    sizeRows.push([
      `workerd RSS, ${int(m.streams)} open streams`,
      `${m.heldRssMiB.toFixed(1)} MiB (+${m.perStreamKiB.toFixed(1)} KiB per stream; all open after ${ms(m.openMs)} ms)`,
    ]);
    if (m.heapUsedMiB)
      sizeRows.push([
        `isolate JS heap in use, idle → ${int(m.streams)} open streams`,
        `${m.heapUsedMiB.idle.toFixed(1)} → ${m.heapUsedMiB.held.toFixed(1)} MiB (Workers' limit: 128 MB per isolate)`,
      ]);
    sizeRows.push(['workerd RSS, 1 s after aborting them', `${m.afterRssMiB.toFixed(1)} MiB`]);
    if (m.proxyReference) {
      const p = m.proxyReference;
      sizeRows.push([
        `reference: bare fetch proxy, ${int(p.streams)} open streams`,
        `${p.idleRssMiB.toFixed(1)} → ${p.heldRssMiB.toFixed(1)} MiB (+${p.perStreamKiB.toFixed(1)} KiB per stream)`,
      ]);
    }
    sizeRows.push(['workerd RSS of the long-lived gateway after all load runs', `${m.rssAfterLoadMiB.toFixed(1)} MiB`]);
  }
  sizeRows.push([
    'bundle, raw / gzip',
    `${kib(s.rawBytes)} / ${kib(s.gzipBytes)}${s.wrangler?.uploadKiB ? ` (wrangler: ${s.wrangler.uploadKiB} / ${s.wrangler.gzipKiB} KiB)` : ''}`,
  ]);
  if (s.workerAssets?.length)
    sizeRows.push([
      'static assets the Worker reads at first use (not in the bundle), raw / gzip',
      s.workerAssets.map((m) => `${m.name} ${kib(m.rawBytes)} / ${kib(m.gzipBytes)}`).join('; '),
    ]);
  if (s.bytesBySource)
    sizeRows.push([
      'bundle by source (raw)',
      Object.entries(s.bytesBySource)
        .map(([k, v]) => `${k} ${kib(v)}`)
        .join(', '),
    ]);
  sizeRows.push([
    'workerd spawn → listening (loads and compiles the bundle)',
    `${ms(s.startup.workerdListenMs)} ms${s.startup.floorListenMs === null ? '' : ` (reference workers: ${ms(s.startup.floorListenMs)} ms)`}`,
  ]);
  sizeRows.push(['first request after listening', `${ms(s.startup.firstRequestMs)} ms`]);
  sizeRows.push([
    'Worker startup time (wrangler)',
    s.startup.wranglerStartupMs === null
      ? 'not reported (wrangler prints it only on a real upload)'
      : `${ms(s.startup.wranglerStartupMs)} ms`,
  ]);
  out.push('### Memory, size, startup', table(['figure', 'value'], sizeRows));

  out.push(...featureCostTables(r));

  if (r.wranglerDev) {
    if ('error' in r.wranglerDev) out.push('### Reference: `wrangler dev`', `not measured: ${r.wranglerDev.error}`);
    else
      out.push(
        `### Reference: \`wrangler dev\` (ready after ${ms(r.wranglerDev.readyMs)} ms; its dev server dominates, not a target)`,
        table(
          ['target', 'concurrency', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs direct', 'req/s vs direct'],
          latencyRows(r.wranglerDev.latency),
        ),
      );
  }

  out.push(
    '### Targets',
    table(
      ['target', 'goal', 'this run', 'met'],
      r.targets.map((t) => [t.target, t.goal, t.actual, t.met === null ? '—' : t.met ? 'yes' : `no, by ${t.missedBy ?? '?'}`]),
    ),
  );
  return out.join('\n\n');
}
