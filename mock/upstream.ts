// An OpenAI-compatible upstream for the gateway's tests and benchmarks.
// Behaviour per request is driven by the `mock` field of the request body;
// see mock/README.md for the directives.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { openAIError } from './errors.ts';
import { handleAnthropic, isAnthropicMessages } from './anthropic.ts';
import { Exchange } from './exchange.ts';
import { sendJson } from './http.ts';
import { logLine } from './log.ts';
import { providersDirBeside, scopeOf } from './provider-recordings.ts';
import { handleOpenMeteo } from './open-meteo.ts';
import { route } from './router.ts';
import { MockState } from './state.ts';

export interface MockUpstreamOptions {
  port?: number;
  host?: string;
  fixturesDir?: string;
  /** Other providers' recordings, served under /providers; default: `providers` beside the fixtures' parent. */
  providersDir?: string;
  openapiPath?: string;
  log?: boolean;
  /** Milliseconds between stream frames unless a directive says otherwise (default 0: as fast as possible). */
  chunkDelayMs?: number;
}

export interface MockUpstream {
  /** e.g. http://127.0.0.1:PORT, no trailing slash */
  url: string;
  close(): Promise<void>;
}

export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const host = options.host ?? '127.0.0.1';
  const { fixturesDir } = options;
  const openapiPath = options.openapiPath ?? (fixturesDir === undefined ? undefined : join(dirname(fixturesDir), 'openapi.yaml'));
  const state = new MockState(fixturesDir, openapiPath, options.chunkDelayMs);
  const providers = new MockState(options.providersDir ?? providersDirBeside(fixturesDir), openapiPath, options.chunkDelayMs);

  const server = createServer((req, res) => {
    if (handleOpenMeteo(req, res)) return;
    const ex = new Exchange(req, res);
    if (options.log === true) res.once('close', () => console.log(logLine(ex)));
    const scope = scopeOf(req, state, providers);
    (isAnthropicMessages(req) ? handleAnthropic(ex, scope) : route(ex, scope)).catch((error: unknown) => {
      // A bug or a broken fixture: answer 500 if still possible, else drop the connection.
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, openAIError(`Mock upstream failure: ${String(error)}`, 'server_error'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  // Idempotent: a test's afterAll may close a server a test already closed.
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Stalled and streaming responses would otherwise keep close() waiting forever.
        server.closeAllConnections();
      })),
  };
}
