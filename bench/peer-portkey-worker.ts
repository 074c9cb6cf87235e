// Portkey's own Worker (../shared/peers/portkey-workerd, Portkey 1.15.2 built as its deploy builds it) as a
// peer on the same runtime: its one module in a plain `workerd serve` process of its own (so /proc CPU and
// RSS are its alone), with the compatibility settings its wrangler config deploys with, in front of the
// same mock upstream. Where the folder is absent, the bench says so and runs without the column.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { portkeyTarget } from './peer-portkey.ts';
import type { Target } from './requests.ts';
import { firstChat } from './servers.ts';
import { peerWorkerdConfig } from './workerd-config.ts';
import { startWorkerd, type WorkerdServer } from './workerd-process.ts';

export const PORTKEY_WORKER = 'Portkey Worker';
const MODULE = 'portkey-worker.js';

/** Where the peer lives: BENCH_PORTKEY_WORKER_DIR, else ../shared/peers/portkey-workerd beside the checkout. */
export const portkeyWorkerDir = (): string =>
  process.env['BENCH_PORTKEY_WORKER_DIR'] ?? resolve(import.meta.dirname, '../../shared/peers/portkey-workerd');

/** The Worker's module, or why the column is skipped. */
export function portkeyWorkerModule(): { readonly path: string } | { readonly skipped: string } {
  const path = join(portkeyWorkerDir(), MODULE);
  return existsSync(path) ? { path } : { skipped: `no Portkey Worker at ${path} (set BENCH_PORTKEY_WORKER_DIR)` };
}

export interface PortkeyWorkerServer {
  readonly pid: number;
  readonly workerd: WorkerdServer;
  readonly target: Target;
  /** Latency of the first chat completion after workerd listened. */
  readonly firstRequestMs: number;
}

/** Serves the Worker (`modulePath`) in a fresh workerd and checks that it answers a chat completion through the mock. */
export async function startPortkeyWorker(options: { modulePath: string; mockUrl: string; workDir: string }): Promise<PortkeyWorkerServer> {
  mkdirSync(options.workDir, { recursive: true });
  copyFileSync(options.modulePath, join(options.workDir, MODULE));
  const configFile = join(options.workDir, 'portkey-worker.capnp');
  // Portkey's wrangler.toml: compatibility_date 2024-12-05, nodejs_compat.
  writeFileSync(configFile, peerWorkerdConfig({ module: MODULE, compatibilityDate: '2024-12-05', compatibilityFlags: ['nodejs_compat'] }));
  const workerd = await startWorkerd({ configFile, sockets: ['http'] });
  const target = portkeyTarget(PORTKEY_WORKER, `http://127.0.0.1:${workerd.ports['http']}`, options.mockUrl);
  const firstRequestMs = await firstChat(workerd, target);
  return { pid: workerd.pid, workerd, target, firstRequestMs };
}
