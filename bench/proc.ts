// Reads a process's CPU time and memory from /proc (Linux only), for the CPU and memory measurements.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (CLK_TCK, almost always 100). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    let out = Number.NaN;
    try {
      out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // No getconf: Linux's USER_HZ is 100 on every common architecture.
    }
    ticksPerSecond = Number.isInteger(out) && out > 0 ? out : 100;
  }
  return ticksPerSecond;
}

/** User + system CPU time of a process, all its threads, in milliseconds (resolution 1000/CLK_TCK ms). */
export function cpuTimeMs(pid: number): number {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'), pid);
}

/** User + system CPU time of each thread of a process, ms, by thread id. */
export function threadCpuTimesMs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), statCpuMs(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'), pid));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

function statCpuMs(stat: string, pid: number): number {
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`Cannot read CPU times from /proc/${pid}/stat: ${stat.slice(0, 120)}`);
  return ((utime + stime) * 1000) / clockTicks();
}

/** Resident set size of a process in MiB (VmRSS of /proc/<pid>/status). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`No VmRSS in /proc/${pid}/status (is the process gone?)`);
  return Number(kb) / 1024;
}
