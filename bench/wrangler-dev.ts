// `wrangler dev` (local mode), measured only as a reference line: its dev server sits in front of workerd
// and dominates small overheads, which is why the figures that count come from plain workerd.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTracked, stopChild, tail } from './children.ts';
import { WRANGLER_BIN } from './source.ts';

export interface WranglerDev {
  readonly url: string;
  /** From spawn until /health answered, ms. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it; wrangler binds it a moment later). */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface WranglerDevOptions {
  readonly configPath: string;
  readonly env?: string | undefined;
  /** Run this already-built script with --no-bundle instead of building the config's `main`. */
  readonly script?: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Starts `wrangler dev` on a free loopback port and waits until the gateway's /health answers. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    WRANGLER_BIN,
    'dev',
    '-c',
    options.configPath,
    `--env=${options.env ?? ''}`,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--log-level',
    'error',
  ];
  if (options.script) args.push('--no-bundle', options.script);
  for (const [name, value] of Object.entries(options.vars)) args.push('--var', `${name}:${value}`);
  const started = performance.now();
  const child = spawnTracked(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  const output = tail(child.stderr);
  tail(child.stdout);
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (options.timeoutMs ?? 45_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    if (performance.now() > deadline) {
      await stopChild(child);
      throw new Error(`wrangler dev did not answer /health within ${options.timeoutMs ?? 45_000} ms:\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  return { url, readyMs: performance.now() - started, stop: () => stopChild(child, 5000) };
}
