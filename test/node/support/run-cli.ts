import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** What a CLI run left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The path of a CLI an npm package installed in node_modules/.bin, or undefined when it is not installed. */
export function installedBin(name: string): string | undefined {
  const path = resolve('node_modules/.bin', name);
  return existsSync(path) ? path : undefined;
}

/**
 * Runs a CLI to its end without a terminal, stdin closed (as in CI), with exactly the environment given (PATH
 * aside), so nothing of the developer's own setup (keys, config, proxies) reaches it. Asynchronous, so servers
 * in this process (the gateway, a recording proxy) keep answering it. `cwd` is its working directory.
 */
export function runCli(command: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs = 90_000): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
