// Cold start as a new isolate meets it: fresh `workerd serve` processes, one per sample, the Workers taking
// turns (ABBA) so machine drift hits them alike. Per sample: spawn → first answered chat completion, the
// process's CPU at that moment (utime + stime of /proc/<pid>/stat, all threads, 10 ms ticks), its RSS after
// that answer; once per Worker its modules' sizes. Where the Worker counts tokens (the gateway), also what
// its first `POST /v1/tokens/count` costs after that first answer: a one-time load, reported apart.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { moduleSizes, type ModuleSize } from './bundle.ts';
import { cpuTimeMs, rssMiB } from './proc.ts';
import type { Target } from './requests.ts';
import { interleave } from './rounds.ts';
import { percentile } from './stats.ts';
import type { WorkerdServer } from './workerd-process.ts';

/** A fresh process of one Worker, started in `workDir`; it resolves once its first chat completion answered. */
export interface ColdStart {
  readonly workerd: WorkerdServer;
  readonly firstRequestMs: number;
  /** Its modules, main first. */
  readonly modules: readonly { readonly name: string; readonly path: string }[];
  /** Its token-count route, where it has one. */
  readonly tokenCount?: Target;
}

export interface ColdTarget {
  readonly name: string;
  start(workDir: string): Promise<ColdStart>;
}

export interface ColdSample {
  /** Spawn → listening (workerd loaded and compiled the modules). */
  readonly listenMs: number;
  /** Spawn → first chat completion answered. */
  readonly firstAnswerMs: number;
  /** Process CPU at that moment. */
  readonly cpuMs: number;
  readonly rssMiB: number;
  /** The first token count after the first answer: its latency and the process CPU it took. */
  readonly tokenCount: { readonly ms: number; readonly cpuMs: number } | null;
}

export interface ColdStartFigures {
  /** Medians of the samples. */
  readonly listenMs: number;
  readonly firstAnswerMs: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
  readonly tokenCount: { readonly ms: number; readonly cpuMs: number } | null;
  readonly modules: readonly ModuleSize[];
  readonly samples: readonly ColdSample[];
}

export interface ColdStartResult {
  readonly samples: number;
  /** 1-minute load average when the cold starts began: wall-clock figures move with it, CPU figures much less. */
  readonly loadAverage1m: number;
  readonly byTarget: Readonly<Record<string, ColdStartFigures>>;
}

/** The token count the bench sends: a one-message conversation for a model of the o200k encoding. */
export const TOKEN_COUNT_BODY = { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

async function firstTokenCount(pid: number, target: Target): Promise<{ ms: number; cpuMs: number }> {
  const cpuBefore = cpuTimeMs(pid);
  const started = performance.now();
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(TOKEN_COUNT_BODY) });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200 || !text.includes('"tokens"'))
    throw new Error(`${target.name}: the token count answered ${response.status}: ${text.slice(0, 300)}`);
  return { ms, cpuMs: cpuTimeMs(pid) - cpuBefore };
}

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** `samples` fresh processes per Worker, interleaved; medians per Worker. */
export async function measureColdStarts(
  targets: readonly ColdTarget[],
  samples: number,
  workDir: string,
  log: (line: string) => void,
): Promise<ColdStartResult> {
  log(`cold start: ${targets.map((t) => t.name).join(' / ')}, ${samples} fresh workerd process(es) each, interleaved`);
  const loadAverage1m = loadavg()[0] ?? 0;
  const byName = new Map(targets.map((t) => [t.name, t]));
  const modules = new Map<string, ModuleSize[]>();
  const runs = await interleave([...byName.keys()], samples, async (name, round): Promise<ColdSample> => {
    const fresh = await byName.get(name)!.start(join(workDir, `${name.replace(/\W+/g, '-')}-${round}`));
    const { pid, listenMs } = fresh.workerd;
    const cpuMs = cpuTimeMs(pid);
    const rss = rssMiB(pid);
    try {
      if (!modules.has(name)) modules.set(name, moduleSizes(fresh.modules));
      const tokenCount = fresh.tokenCount ? await firstTokenCount(pid, fresh.tokenCount) : null;
      return { listenMs, firstAnswerMs: listenMs + fresh.firstRequestMs, cpuMs, rssMiB: rss, tokenCount };
    } finally {
      await fresh.workerd.stop();
    }
  });
  const byTarget: Record<string, ColdStartFigures> = {};
  for (const [name, list] of runs) {
    const counts = list.flatMap((s) => (s.tokenCount ? [s.tokenCount] : []));
    byTarget[name] = {
      listenMs: median(list.map((s) => s.listenMs)),
      firstAnswerMs: median(list.map((s) => s.firstAnswerMs)),
      cpuMs: median(list.map((s) => s.cpuMs)),
      rssMiB: median(list.map((s) => s.rssMiB)),
      tokenCount: counts.length === 0 ? null : { ms: median(counts.map((c) => c.ms)), cpuMs: median(counts.map((c) => c.cpuMs)) },
      modules: modules.get(name) ?? [],
      samples: list,
    };
  }
  return { samples, loadAverage1m, byTarget };
}
