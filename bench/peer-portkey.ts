// Portkey's open-source gateway (../shared/peers/portkey, Node) as a peer row: installed once per lockfile in
// a temp dir (its folder may be read-only, and our own tree never gets its packages), started on a free
// loopback port in front of the same mock upstream, and stopped (SIGTERM, then SIGKILL after a grace period).
// Where the folder is absent, the bench says so and runs without the row.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTracked, stopChild, tail } from './children.ts';
import { UPSTREAM_KEY, type Target } from './requests.ts';

/** Where the peer lives: BENCH_PORTKEY_DIR, else ../shared/peers/portkey beside the checkout. */
export const portkeyDir = (): string => process.env['BENCH_PORTKEY_DIR'] ?? resolve(import.meta.dirname, '../../shared/peers/portkey');

export interface PeerServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A port the kernel just handed out and released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (typeof address !== 'object' || address === null) throw new Error('No free port.');
  return address.port;
}

/** A copy of the peer with its packages installed (`npm ci`), kept in the temp dir and reused while its lockfile is unchanged. */
async function installedCopy(source: string, log: (line: string) => void): Promise<string> {
  const lock = readFileSync(join(source, 'package-lock.json'));
  const dir = join(tmpdir(), `edge-llm-gateway-portkey-${createHash('sha256').update(lock).digest('hex').slice(0, 12)}`);
  const ready = join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (existsSync(ready)) return dir;
  log(`Portkey: installing a copy in ${dir} (npm ci, once per lockfile)`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, { recursive: true, filter: (path) => !path.includes('node_modules') });
  const npm = spawnTracked('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = tail(npm.stderr);
  const code = await new Promise<number | null>((ok) => npm.once('exit', (c) => ok(c)));
  if (code !== 0 || !existsSync(ready)) throw new Error(`npm ci for Portkey failed (${code}):\n${stderr()}`);
  return dir;
}

/** Starts Portkey and resolves once `GET /` answers; `{ skipped }` where the peer is absent. */
export async function startPortkey(log: (line: string) => void, timeoutMs = 30_000): Promise<PeerServer | { readonly skipped: string }> {
  const source = portkeyDir();
  if (!existsSync(join(source, 'run-portkey.sh'))) return { skipped: `no Portkey peer at ${source} (set BENCH_PORTKEY_DIR)` };
  let dir: string;
  try {
    dir = await installedCopy(source, log);
  } catch (error) {
    return { skipped: `Portkey could not be installed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const port = await freePort();
  const child = spawnTracked(join(dir, 'run-portkey.sh'), [], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = tail(child.stderr);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, 1000);
  for (const until = performance.now() + timeoutMs; performance.now() < until; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`Portkey exited (${child.exitCode}) before answering:\n${stderr()}`);
    const answered = await fetch(`${url}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (answered && child.pid !== undefined) return { url, pid: child.pid, stop };
  }
  await stop();
  throw new Error(`Portkey did not answer within ${timeoutMs} ms:\n${stderr()}`);
}

/** Requests to Portkey (on Node, or its Worker): the mock as an OpenAI-compatible custom host, the mock's key passed through. */
export const portkeyTarget = (name: string, baseUrl: string, mockUrl: string): Target => ({
  name,
  url: `${baseUrl}/v1/chat/completions`,
  headers: {
    authorization: `Bearer ${UPSTREAM_KEY}`,
    'content-type': 'application/json',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${mockUrl}/v1`,
  },
});
