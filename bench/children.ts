// Every child process the bench starts (mock, workerd, wrangler) is registered here and killed, with its
// process group, on normal exit, on error and on SIGINT/SIGTERM, so a run never leaves a process behind.
// If the bench itself is killed outright, the reaper (reaper.ts) kills them instead.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const running = new Set<ChildProcess>();
let reaper: ChildProcess | undefined;

/** Tells the reaper about a child (`+pid`) or that it is gone (`-pid`). */
function tellReaper(line: string): void {
  if (!reaper) {
    reaper = spawn(process.execPath, [fileURLToPath(new URL('./reaper.ts', import.meta.url))], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    // Neither the reaper nor its pipe may keep the bench alive.
    reaper.unref();
    const stdin = reaper.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
    stdin?.unref?.();
    stdin?.on('error', () => {});
  }
  reaper.stdin?.write(`${line}\n`);
}
const cleanups: Array<() => void> = [];
let hooked = false;

/** Kills one child and its process group (it was started detached, so it leads its own group). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals, evenIfExited = false): void {
  if (child.pid === undefined) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** Synchronous last resort: SIGKILL every child still running, then run the registered cleanups (temp dirs). */
function killAllNow(): void {
  for (const child of running) killGroup(child, 'SIGKILL', true);
  running.clear();
  for (const cleanup of cleanups.splice(0)) {
    try {
      cleanup();
    } catch {
      // Best effort on the way out.
    }
  }
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping every child process`);
      killAllNow();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error('bench: failed:', error);
    killAllNow();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error('bench: failed:', error);
    killAllNow();
    process.exit(1);
  });
}

/** Registers a synchronous cleanup to run when the bench exits, however it exits. */
export function onExit(cleanup: () => void): void {
  installHooks();
  cleanups.push(cleanup);
}

/** A temp directory of this run: removed on exit, or by the reaper if the bench is killed outright. */
export function removeOnExit(dir: string): void {
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  tellReaper(`d${dir}`);
}

/** Spawns a child in its own process group and tracks it until it exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  installHooks();
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  if (child.pid !== undefined) tellReaper(`+${child.pid}`);
  child.once('exit', () => {
    running.delete(child);
    // wrangler's workerd may outlive wrangler: stopChild sweeps the group before this line matters.
    if (child.pid !== undefined) tellReaper(`-${child.pid}`);
  });
  return child;
}

/** Stops a child gracefully (SIGTERM to its group), then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Grandchildren (wrangler's workerd) may outlive their parent: sweep the group.
  killGroup(child, 'SIGKILL', true);
  running.delete(child);
}

/** Keeps the last `limit` characters a stream wrote, to quote in error messages. */
export function tail(stream: NodeJS.ReadableStream | null, limit = 4000): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer | string) => {
    text = (text + chunk.toString()).slice(-limit);
  });
  return () => text;
}
