// What three optional features cost, each against the gateway without it, in the same run (issues 27, 28):
//   - the request log: the log line sent to a Queue under waitUntil, consumed by the same Worker into D1;
//   - OTLP export: each request's spans POSTed under waitUntil to a collector (the mock's /v1/traces);
//   - resumable streams (`x-gateway-resumable: true`): the stream runs inside a Durable Object.
// Each gateway variant is its own fresh workerd process (so /proc CPU is that variant's alone); variants take
// turns round by round (ABBA). The request-log variant's queue binding sends to one more process, which runs
// the rest of the pipeline as deployed: a Queue (workerd's bundled Queues Worker), the same Worker's `queue()`
// consumer, and D1 (workerd's bundled D1 Worker), all `--experimental`; its CPU is reported beside.
import { join } from 'node:path';
import type { Bundle } from './bundle.ts';
import { loadRun } from './autocannon-run.ts';
import { combine } from './measure-latency.ts';
import type { CpuFigures } from './measure-cpu.ts';
import { cpuTimeMs } from './proc.ts';
import { completionBody, gatewayTarget, registerStreams, streamBody, type Target } from './requests.ts';
import { interleave } from './rounds.ts';
import { queryD1, startGateway, startRequestLog, type GatewayServer, type RequestLogServer } from './servers.ts';
import type { BenchSettings } from './settings.ts';
import { summarize, type LatencySummary } from './stats.ts';
import { streamRun } from './stream-run.ts';
import type { WranglerFacts } from './wrangler-config.ts';

type Settings = NonNullable<BenchSettings['featureCosts']>;

export const PLAIN = 'plain';
export const REQUEST_LOG = 'request log';
export const OTLP = 'OTLP export';
export const RESUMABLE = 'resumable';

/** One gateway variant's non-stream figures: CPU at the settings' concurrency, latency at concurrency 1. */
export interface VariantFigures {
  readonly cpu: CpuFigures;
  readonly latency: LatencySummary;
}

export interface StreamModeFigures {
  readonly ttfb: LatencySummary;
  readonly ttlb: LatencySummary;
  /** Streams `cpuConcurrency` at a time; msPerChunk is per SSE frame received (content chunks, role, finish, [DONE]). */
  readonly cpu: CpuFigures;
}

export interface FeatureCosts {
  readonly nonStream: {
    readonly cpuConcurrency: number;
    readonly byVariant: Readonly<Record<string, VariantFigures>>;
    /**
     * The request log's own process (its Queue, the Worker's consumer, D1): CPU per row, over every request the
     * request-log variant answered, until its last batch is in D1; `requests`: those counted by the load runs.
     */
    readonly requestLogPipeline: {
      readonly requests: number;
      readonly rows: number;
      readonly cpuMs: number;
      readonly msPerRequest: number;
    } | null;
  };
  readonly streams: {
    readonly pieces: number;
    readonly cpuConcurrency: number;
    readonly byMode: Readonly<Record<string, StreamModeFigures>>;
  };
}

const RESUMABLE_HEADER = { 'x-gateway-resumable': 'true' };

/** Starts the three variants, measures them and stops them. */
export async function measureFeatureCosts(options: {
  bundle: Bundle;
  facts: WranglerFacts;
  mockUrl: string;
  workDir: string;
  settings: Settings;
  log: (line: string) => void;
}): Promise<FeatureCosts> {
  const { bundle, facts, mockUrl, workDir, settings: s, log } = options;
  const start = (name: string, extra: { requestLog?: RequestLogServer; vars?: Record<string, string> }) =>
    startGateway({ bundle, facts, mockUrl, workDir: join(workDir, name.replace(/ /g, '-')), ...extra });
  const servers = new Map<string, GatewayServer>();
  let requestLog: RequestLogServer | null = null;
  try {
    servers.set(PLAIN, await start(PLAIN, {}));
    requestLog =
      facts.d1Databases.length > 0 ? await startRequestLog({ bundle, facts, workDir: join(workDir, 'request-log-pipeline') }) : null;
    const pipelineCpuBefore = requestLog ? cpuTimeMs(requestLog.pid) : 0;
    if (requestLog) servers.set(REQUEST_LOG, await start(REQUEST_LOG, { requestLog }));
    else log(`feature costs: no Queue and D1 bindings in the config, no ${REQUEST_LOG} row`);
    // Every request traced (OTEL_TRACES_SAMPLE_RATIO defaults to 1): the figure is the cost of one export.
    servers.set(OTLP, await start(OTLP, { vars: { OTEL_EXPORTER_OTLP_ENDPOINT: mockUrl } }));
    await checkTraced(gatewayTarget(OTLP, servers.get(OTLP)!.url));
    const targets = new Map([...servers].map(([name, server]) => [name, gatewayTarget(name, server.url)]));
    const names = [...targets.keys()];
    log(
      `feature costs: ${names.join(' / ')} (a fresh workerd each${requestLog ? `; the request log's Queue, consumer and D1 in one more, pid ${requestLog.pid}` : ''}), ${s.rounds} rounds of ${s.cpuRequests} requests at concurrency ${s.cpuConcurrency} (CPU), then of ${s.latencySeconds} s at concurrency 1 (latency)`,
    );
    const cpuTurns = await interleave(names, s.rounds, async (name) => {
      const pid = servers.get(name)!.pid;
      const before = cpuTimeMs(pid);
      const sample = await loadRun(targets.get(name)!, completionBody(), { connections: s.cpuConcurrency, amount: s.cpuRequests });
      return { cpuMs: cpuTimeMs(pid) - before, sample };
    });
    const latencyTurns = await interleave(names, s.rounds, (name) =>
      loadRun(targets.get(name)!, completionBody(), { connections: 1, seconds: s.latencySeconds }),
    );
    const byVariant: Record<string, VariantFigures> = {};
    for (const name of names) {
      const turns = cpuTurns.get(name)!;
      combine(turns.map((t) => t.sample));
      const count = turns.reduce((n, t) => n + t.sample.latencies.length, 0);
      const cpuMs = turns.reduce((sum, t) => sum + t.cpuMs, 0);
      const latency = combine(latencyTurns.get(name)!);
      byVariant[name] = {
        cpu: { count, cpuMs, msPerRequest: cpuMs / count },
        latency: {
          count: latency.count,
          p50: latency.p50,
          p90: latency.p90,
          p99: latency.p99,
          mean: latency.mean,
          min: latency.min,
          max: latency.max,
        },
      };
    }
    // Every request the request-log variant answered: its first chat, the CPU turns and the latency turns.
    const loggedRequests = requestLog
      ? 1 +
        cpuTurns.get(REQUEST_LOG)!.reduce((n, t) => n + t.sample.latencies.length, 0) +
        latencyTurns.get(REQUEST_LOG)!.reduce((n, t) => n + t.latencies.length, 0)
      : 0;
    const drainBy = performance.now() + ((facts.queueConsumers[0]?.maxBatchTimeout ?? 5) + 3) * 1000;

    // Resumable streams, on the plain variant (RESUMABLE is bound there as in wrangler.toml).
    const plain = servers.get(PLAIN)!;
    const pieces = s.streamPieces;
    await registerStreams(mockUrl, [{ pieces }]);
    const plainTarget = targets.get(PLAIN)!;
    const modes = new Map<string, Target>([
      [PLAIN, plainTarget],
      [RESUMABLE, { ...plainTarget, name: RESUMABLE, headers: { ...plainTarget.headers, ...RESUMABLE_HEADER } }],
    ]);
    log(
      `feature costs: streams of ${pieces} chunks, plain / resumable, ${s.rounds} rounds of ${s.streamsPerRound} streams one at a time (time to first byte), then of ${s.cpuStreams} streams ${s.streamConcurrency} at a time (CPU)`,
    );
    const timed = await interleave([...modes.keys()], s.rounds, (mode) =>
      streamRun(modes.get(mode)!, streamBody(pieces), s.streamsPerRound),
    );
    const cpu = await interleave([...modes.keys()], s.rounds, async (mode) => {
      const before = cpuTimeMs(plain.pid);
      const streams = await streamRun(modes.get(mode)!, streamBody(pieces), s.cpuStreams, s.streamConcurrency);
      return { cpuMs: cpuTimeMs(plain.pid) - before, streams };
    });
    const byMode: Record<string, StreamModeFigures> = {};
    for (const mode of modes.keys()) {
      const all = timed.get(mode)!.flat();
      const turns = cpu.get(mode)!;
      const count = turns.reduce((n, t) => n + t.streams.length, 0);
      const frames = turns.reduce((n, t) => n + t.streams.reduce((f, one) => f + one.frames, 0), 0);
      const cpuMs = turns.reduce((sum, t) => sum + t.cpuMs, 0);
      byMode[mode] = {
        ttfb: summarize(all.map((t) => t.ttfbMs)),
        ttlb: summarize(all.map((t) => t.ttlbMs)),
        cpu: { count, cpuMs, msPerRequest: cpuMs / count, msPerChunk: cpuMs / frames },
      };
    }
    // The last batch waits for the consumer's batch timeout (it ran down during the streams): then every row is in D1.
    let requestLogPipeline: FeatureCosts['nonStream']['requestLogPipeline'] = null;
    if (requestLog) {
      let rows = 0;
      for (;;) {
        const [count] = await queryD1(requestLog.workerd, facts.d1Databases[0]!.binding, 'SELECT count(*) AS n FROM request_log');
        rows = Number(count?.['n']);
        if (rows >= loggedRequests || performance.now() > drainBy) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const cpuMs = cpuTimeMs(requestLog.pid) - pipelineCpuBefore;
      // Per row: a load run's last requests may be answered after it stops counting, and they are logged too.
      requestLogPipeline = { requests: loggedRequests, rows, cpuMs, msPerRequest: cpuMs / rows };
      if (rows < loggedRequests) log(`feature costs: warning: only ${rows} request-log rows in D1 for ${loggedRequests} requests`);
    }
    return {
      nonStream: { cpuConcurrency: s.cpuConcurrency, byVariant, requestLogPipeline },
      streams: { pieces, cpuConcurrency: s.streamConcurrency, byMode },
    };
  } finally {
    for (const server of servers.values()) await server.workerd.stop();
    await requestLog?.workerd.stop();
  }
}

/** The OTLP variant must really trace: its answer names the request's span (`traceresponse`) when it is recorded. */
async function checkTraced(target: Target): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(completionBody()) });
  await response.text();
  if (!response.headers.get('traceresponse'))
    throw new Error(
      `${target.name}: the answer has no traceresponse header, so the request was not traced; the figure would mean nothing.`,
    );
}
