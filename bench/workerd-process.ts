// Starts plain `workerd serve` (the native binary from the `workerd` npm package, no dev server) on a
// generated config, learns its ports from the control fd, and stops it. The pid is workerd's own, so
// /proc figures are the runtime's.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { spawnTracked, stopChild, tail } from './children.ts';

/** A running workerd process. */
export interface WorkerdServer {
  readonly pid: number;
  /** Port of each socket in the config, by socket name (`inspector`: the inspector's, when enabled). */
  readonly ports: Readonly<Record<string, number>>;
  /** From spawn until every socket listened, in ms. */
  readonly listenMs: number;
  stop(): Promise<void>;
  /** The last lines workerd wrote to stderr, for error messages. */
  stderr(): string;
}

/** Path of the native workerd binary of the installed `workerd` package. */
export function workerdBinary(): string {
  const pkg: unknown = createRequire(import.meta.url)('workerd');
  const path = typeof pkg === 'object' && pkg !== null && 'default' in pkg ? pkg.default : undefined;
  if (typeof path !== 'string') throw new Error('The workerd package did not export its binary path; is it installed (npm ci)?');
  return path;
}

export interface WorkerdOptions {
  readonly configFile: string;
  readonly sockets: readonly string[];
  /** e.g. 127.0.0.1:9229, to attach a CPU profiler. */
  readonly inspectorAddress?: string;
  readonly timeoutMs?: number;
  /** `--experimental`: needed by workerd's bundled Queues and D1 Workers. */
  readonly experimental?: boolean;
}

/** Starts workerd and resolves once every named socket is listening. */
export async function startWorkerd(options: WorkerdOptions): Promise<WorkerdServer> {
  const args = ['serve', options.configFile, '--control-fd=3'];
  if (options.inspectorAddress) args.push(`--inspector-addr=${options.inspectorAddress}`);
  if (options.experimental) args.push('--experimental');
  const started = performance.now();
  // Logs (one JSON line per request) go to /dev/null, as they would leave the Worker in production.
  const child = spawnTracked(workerdBinary(), args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const stderr = tail(child.stderr);
  const control = child.stdio[3] as Readable | null;
  if (!control || child.pid === undefined) throw new Error('workerd did not start.');
  const pid = child.pid;

  const ports: Record<string, number> = {};
  const expected = options.inspectorAddress ? [...options.sockets, 'inspector'] : options.sockets;
  let onEarlyExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`workerd did not listen within ${options.timeoutMs ?? 20_000} ms.\n${stderr()}`)),
      options.timeoutMs ?? 20_000,
    );
    onEarlyExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited (${signal ?? code}) before listening:\n${stderr()}`));
    };
    child.once('exit', onEarlyExit);
    createInterface({ input: control }).on('line', (line) => {
      const event: unknown = JSON.parse(line);
      if (typeof event !== 'object' || event === null || !('event' in event) || !('port' in event) || typeof event.port !== 'number')
        return;
      if (event.event === 'listen-inspector') ports['inspector'] = event.port;
      else if (event.event === 'listen' && 'socket' in event && typeof event.socket === 'string') ports[event.socket] = event.port;
      if (expected.every((s) => ports[s] !== undefined)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  const listenMs = await ready;
  if (onEarlyExit) child.off('exit', onEarlyExit);
  return { pid, ports, listenMs, stop: () => stopChild(child), stderr };
}
