// The isolate's own time for one long stream. First the busiest workerd thread's CPU time over a few
// streams (from /proc, no profiler attached: the isolate's thread, with the runtime's native work on it);
// then V8's sampling profiler (through the inspector) over as many streams again, for the shares of that
// thread's busy time that are JavaScript, GC and native work ("(program)": stream pumping, HTTP, I/O).
// JavaScript ≈ thread CPU × its share; the profiler's own overhead and its wall-clock samples (a descheduled
// thread counts as busy) stay out of the figure. JavaScript is what the Free plan's 10 ms per request
// limits. Where the runtime pumps a body on another thread (the bare proxy), the share of the busiest
// thread means nothing, so the smaller of that and the sampled JavaScript is reported.
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
  /** Per stream, ms: the isolate thread's CPU time × each share (or the sampled time, if smaller). */
  readonly jsMs: number;
  readonly gcMs: number;
  readonly programMs: number;
  /** The busiest thread's CPU time per stream, no profiler attached (the isolate's: JS, GC and native work together). */
  readonly threadCpuMs: number;
  /** JavaScript per stream as the profiler's wall-clock samples count it (inflated by the profiler and by a loaded machine). */
  readonly jsSampledMs: number;
}

export async function measureJsTime(
  session: InspectorSession,
  pid: number,
  target: Target,
  shape: { pieces: number; delayMs: number; count: number },
): Promise<JsTimeFigures> {
  const body = streamBody(shape.pieces, shape.delayMs);
  // Warm: JIT and the isolate's first-request work stay out of the figure.
  await streamRun(target, body, 2);
  const before = threadCpuTimesMs(pid);
  await streamRun(target, body, shape.count);
  const after = threadCpuTimesMs(pid);
  let threadMs = 0;
  for (const [tid, ms] of after) threadMs = Math.max(threadMs, ms - (before.get(tid) ?? 0));
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 100 });
  await session.send('Profiler.start');
  await streamRun(target, body, shape.count);
  const stopped = (await session.send('Profiler.stop')) as { profile: Profiler.Profile };
  await session.send('Profiler.disable');
  const s = summarizeProfile(stopped.profile, () => undefined);
  const js = s.bySource.reduce((sum, x) => sum + x.ms, 0);
  const busy = js + s.gcMs + s.programMs;
  const share = (ms: number) => Math.min(ms, busy > 0 ? (threadMs * ms) / busy : 0) / shape.count;
  return {
    pieces: shape.pieces,
    delayMs: shape.delayMs,
    streams: shape.count,
    jsMs: share(js),
    gcMs: share(s.gcMs),
    programMs: share(s.programMs),
    threadCpuMs: threadMs / shape.count,
    jsSampledMs: js / shape.count,
  };
}
