// Streams of 50 and 500 chunks: time to first byte and to last byte, direct vs through the gateway.
import { streamBody, type Target } from './requests.ts';
import { interleave } from './rounds.ts';
import type { BenchSettings } from './settings.ts';
import { summarize, type LatencySummary } from './stats.ts';
import { streamRun } from './stream-run.ts';

export interface StreamFigures {
  readonly ttfb: LatencySummary;
  readonly ttlb: LatencySummary;
  /** SSE frames per stream as received (content pieces plus role, finish and [DONE] frames). */
  readonly frames: number;
}

export interface StreamResult {
  readonly pieces: number;
  readonly byTarget: Readonly<Record<string, StreamFigures>>;
}

/** One stream after another (concurrency 1), targets interleaved round by round. */
export async function measureStreams(
  targets: readonly Target[],
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<StreamResult[]> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const results: StreamResult[] = [];
  for (const { pieces, perRound } of settings.streams) {
    log(`streams of ${pieces} chunks: ${settings.rounds} rounds of ${perRound} streams per target`);
    const samples = await interleave([...byName.keys()], settings.rounds, (name) =>
      streamRun(byName.get(name)!, streamBody(pieces), perRound),
    );
    const byTarget: Record<string, StreamFigures> = {};
    for (const [name, rounds] of samples) {
      const all = rounds.flat();
      byTarget[name] = {
        ttfb: summarize(all.map((s) => s.ttfbMs)),
        ttlb: summarize(all.map((s) => s.ttlbMs)),
        frames: all[0]?.frames ?? 0,
      };
    }
    results.push({ pieces, byTarget });
  }
  return results;
}
