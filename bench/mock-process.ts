// Starts the project's mock upstream (mock/upstream.ts) in a child Node process: the load generator
// runs in the bench's process, so the two never share an event loop or a core's time slice by design.
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopChild, tail } from './children.ts';

/** The running mock upstream. */
export interface MockServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the mock upstream and resolves with its URL once it listens. */
export async function startMock(timeoutMs = 15_000): Promise<MockServer> {
  const entry = fileURLToPath(new URL('./mock-child.ts', import.meta.url));
  // stdin stays a pipe: the child exits when it closes, even if this process is killed outright.
  const child = spawnTracked(process.execPath, [entry], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = tail(child.stderr);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The mock upstream did not start within ${timeoutMs} ms.\n${stderr()}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`The mock upstream exited (${code}) before listening:\n${stderr()}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && 'url' in parsed && typeof parsed.url === 'string') resolve(parsed.url);
      else reject(new Error(`Unexpected first line from the mock: ${line}`));
    });
  });
  if (child.pid === undefined) throw new Error('The mock upstream has no pid.');
  return { url, pid: child.pid, stop: () => stopChild(child) };
}
