// CPU time of the workerd process per request, from /proc/<pid>/stat before and after a fixed number of
// requests (all threads, user + system: the runtime's HTTP work as well as the Worker's JavaScript).
import { loadRun } from './autocannon-run.ts';
import { combine } from './measure-latency.ts';
import { cpuTimeMs } from './proc.ts';
import type { Target } from './requests.ts';
import { streamRun } from './stream-run.ts';

export interface CpuFigures {
  /** Requests (or streams) measured. */
  readonly count: number;
  readonly cpuMs: number;
  readonly msPerRequest: number;
  /** For streams: CPU per SSE frame received. */
  readonly msPerChunk?: number;
}

/** CPU per request of `count` non-stream requests with `body`, sent at `connections` concurrency. */
export async function cpuPerRequest(
  pid: number,
  target: Target,
  body: object,
  count: number,
  connections: number,
  headers?: Record<string, string>,
): Promise<CpuFigures> {
  const before = cpuTimeMs(pid);
  const sample = await loadRun(target, body, { connections, amount: count, ...(headers ? { headers } : {}) });
  const cpuMs = cpuTimeMs(pid) - before;
  combine([sample]);
  return { count: sample.latencies.length, cpuMs, msPerRequest: cpuMs / sample.latencies.length };
}

/** CPU per stream and per chunk of `count` streams, `concurrency` at a time. */
export async function cpuPerStream(pid: number, target: Target, body: object, count: number, concurrency: number): Promise<CpuFigures> {
  const before = cpuTimeMs(pid);
  const timings = await streamRun(target, body, count, concurrency);
  const cpuMs = cpuTimeMs(pid) - before;
  const frames = timings.reduce((sum, t) => sum + t.frames, 0);
  return { count, cpuMs, msPerRequest: cpuMs / count, msPerChunk: cpuMs / frames };
}
