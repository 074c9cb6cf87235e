// Non-stream latency (p50/p99) and requests per second, every target at each concurrency, interleaved.
import { loadRun, type LoadSample } from './autocannon-run.ts';
import { completionBody, type Target } from './requests.ts';
import { interleave } from './rounds.ts';
import type { BenchSettings } from './settings.ts';
import { summarize, type LatencySummary } from './stats.ts';

/** Latency and throughput of one target at one concurrency, over all its rounds. */
export interface LoadFigures extends LatencySummary {
  readonly rps: number;
  readonly failures: number;
}

export interface LatencyResult {
  readonly concurrency: number;
  readonly byTarget: Readonly<Record<string, LoadFigures>>;
}

/** Folds one target's rounds into one set of figures: all latencies together, rps over the summed time. */
export function combine(samples: readonly LoadSample[]): LoadFigures {
  const latencies = samples.flatMap((s) => s.latencies);
  const elapsedMs = samples.reduce((sum, s) => sum + s.elapsedMs, 0);
  const failures = samples.reduce((sum, s) => sum + s.failures, 0);
  const total = latencies.length + failures;
  if (total === 0 || failures / total > 0.01)
    throw new Error(`${failures} of ${total} requests failed: the bench setup is broken, figures would mean nothing.`);
  return { ...summarize(latencies), rps: elapsedMs > 0 ? (latencies.length * 1000) / elapsedMs : 0, failures };
}

/** Warms each target up (JIT, connection pools) before anything is measured. */
export async function warmUp(targets: readonly Target[], seconds: number): Promise<void> {
  for (const target of targets) await loadRun(target, completionBody(), { connections: 16, seconds });
}

/** Measures every target at every concurrency of the settings. */
export async function measureLatency(
  targets: readonly Target[],
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<LatencyResult[]> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const results: LatencyResult[] = [];
  for (const concurrency of settings.concurrencies) {
    log(
      `non-stream, concurrency ${concurrency}: ${targets.map((t) => t.name).join(' / ')}, ${settings.rounds} rounds of ${settings.segmentSeconds} s each`,
    );
    const samples = await interleave([...byName.keys()], settings.rounds, (name) =>
      loadRun(byName.get(name)!, completionBody(), { connections: concurrency, seconds: settings.segmentSeconds }),
    );
    results.push({ concurrency, byTarget: Object.fromEntries([...samples].map(([name, s]) => [name, combine(s)])) });
  }
  return results;
}
