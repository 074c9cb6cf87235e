// What ran where, for the results file: the machine, the tool versions, and the commit measured.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { BenchResults } from './results.ts';
import { PROJECT_ROOT, WRANGLER_BIN } from './source.ts';
import { workerdBinary } from './workerd-process.ts';

function output(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The 1-minute load average: other work on the machine skews every figure. */
export const loadAverage = (): number => loadavg()[0] ?? 0;

/** CPU model, cores, memory and kernel; `loadAtStart` is the load average before the run. */
export function describeMachine(loadAtStart: number): BenchResults['meta']['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `Linux ${release()}`,
    loadAverage1m: { start: loadAtStart, end: loadAverage() },
  };
}

/** Node, workerd and wrangler versions as the bench ran them. */
export function toolVersions(): Record<string, string> {
  return {
    node: process.version,
    workerd: output(workerdBinary(), ['--version']).split('\n')[0] || 'unknown',
    wrangler: output(process.execPath, [WRANGLER_BIN, '--version']).split('\n')[0] || 'unknown',
  };
}

/** The commit of the tree, and whether the files that make the bundle differ from it. */
export function treeCommit(): { commit: string; dirty: boolean } {
  return {
    commit: output('git', ['-C', PROJECT_ROOT, 'rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: output('git', ['-C', PROJECT_ROOT, 'status', '--porcelain', '--', 'src', 'wrangler.toml', 'package-lock.json']) !== '',
  };
}
