// Streams per second under load: every target runs 50-chunk streams at concurrency 16 for a fixed time,
// targets interleaved round by round; streams/s over the summed time of its turns.
import { streamBody, type Target } from './requests.ts';
import { interleave } from './rounds.ts';
import type { BenchSettings } from './settings.ts';
import { streamsFor } from './stream-run.ts';

export interface StreamThroughput {
  readonly pieces: number;
  readonly concurrency: number;
  /** Streams per second, and streams completed, by target name. */
  readonly byTarget: Readonly<Record<string, { readonly streamsPerSecond: number; readonly streams: number }>>;
}

export async function measureStreamThroughput(
  targets: readonly Target[],
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<StreamThroughput> {
  const { pieces, concurrency } = settings.streamThroughput;
  log(
    `streams/s: ${pieces}-chunk streams at concurrency ${concurrency}, ${settings.rounds} rounds of ${settings.segmentSeconds} s per target`,
  );
  const byName = new Map(targets.map((t) => [t.name, t]));
  const samples = await interleave([...byName.keys()], settings.rounds, (name) =>
    streamsFor(byName.get(name)!, streamBody(pieces), settings.segmentSeconds, concurrency),
  );
  const byTarget: Record<string, { streamsPerSecond: number; streams: number }> = {};
  for (const [name, turns] of samples) {
    const streams = turns.reduce((sum, t) => sum + t.streams, 0);
    const ms = turns.reduce((sum, t) => sum + t.elapsedMs, 0);
    byTarget[name] = { streamsPerSecond: (streams * 1000) / ms, streams };
  }
  return { pieces, concurrency, byTarget };
}
