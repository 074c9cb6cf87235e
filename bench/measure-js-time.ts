// The isolate's own time for one long stream: V8's sampling profiler (through the inspector) says which
// share of the isolate thread's busy time is JavaScript, GC, or the runtime's native work ("(program)":
// stream pumping, HTTP, I/O); the thread's CPU time from /proc scales those shares to milliseconds. (The
// profiler's own clock is wall time: on a loaded machine a descheduled thread would count as busy.)
// JavaScript is what Workers bill as CPU and what the Free plan's 10 ms per request limits. Sampling every
// 100 µs adds overhead of its own, so the figures are upper bounds.
import type { Profiler } from 'node:inspector';
import { summarizeProfile } from './cpu-profile.ts';
import type { InspectorSession } from './inspector.ts';
import { threadCpuTimesMs } from './proc.ts';
import { streamBody, type Target } from './requests.ts';
import { streamRun } from './stream-run.ts';

export interface JsTimeFigures {
  readonly pieces: number;
  readonly delayMs: number;
  readonly streams: number;
  /** Per stream, ms of the isolate thread's CPU time. */
  readonly jsMs: number;
  readonly gcMs: number;
  readonly programMs: number;
  /** The busiest thread's CPU time per stream (the isolate's: JS, GC and native work together). */
  readonly threadCpuMs: number;
  /** JavaScript per stream as the profiler's wall-clock samples count it (inflated when the machine is loaded). */
  readonly jsSampledMs: number;
}

export async function measureJsTime(session: InspectorSession, pid: number, target: Target, shape: { pieces: number; delayMs: number; count: number }): Promise<JsTimeFigures> {
  const body = streamBody(shape.pieces, shape.delayMs);
  // Warm: JIT and the isolate's first-request work stay out of the figure.
  await streamRun(target, body, 2);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 100 });
  await session.send('Profiler.start');
  const before = threadCpuTimesMs(pid);
  await streamRun(target, body, shape.count);
  const after = threadCpuTimesMs(pid);
  const stopped = (await session.send('Profiler.stop')) as { profile: Profiler.Profile };
  await session.send('Profiler.disable');
  let threadMs = 0;
  for (const [tid, ms] of after) threadMs = Math.max(threadMs, ms - (before.get(tid) ?? 0));
  const s = summarizeProfile(stopped.profile, () => undefined);
  const js = s.bySource.reduce((sum, x) => sum + x.ms, 0);
  const busy = js + s.gcMs + s.programMs;
  const share = (ms: number) => (busy > 0 ? (threadMs * ms) / busy / shape.count : 0);
  return { pieces: shape.pieces, delayMs: shape.delayMs, streams: shape.count, jsMs: share(js), gcMs: share(s.gcMs), programMs: share(s.programMs), threadCpuMs: threadMs / shape.count, jsSampledMs: js / shape.count };
}
