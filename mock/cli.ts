// `npx node mock/cli.ts [--port 8790] [--fixtures DIR] [--openapi FILE] [--chunk-delay-ms 0] [--quiet]`
// Starts the mock upstream for manual runs and `wrangler dev` sessions.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startMockUpstream } from './upstream.ts';
import type { MockUpstreamOptions } from './upstream.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    fixtures: { type: 'string' },
    openapi: { type: 'string' },
    'chunk-delay-ms': { type: 'string', default: '0' },
    quiet: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port: ${values.port}`);
  process.exit(2);
}

// The shared recordings live next to the project, outside it: ../shared/openai/fixtures.
const projectRoot = resolve(import.meta.dirname, '..');
const defaultFixtures = join(projectRoot, '..', 'shared', 'openai', 'fixtures');
const fixturesDir = values.fixtures ?? (existsSync(defaultFixtures) ? defaultFixtures : undefined);

const chunkDelayMs = Number(values['chunk-delay-ms']);
if (!Number.isFinite(chunkDelayMs) || chunkDelayMs < 0) {
  console.error(`Invalid --chunk-delay-ms: ${values['chunk-delay-ms']}`);
  process.exit(2);
}

const options: MockUpstreamOptions = { port, log: !values.quiet, chunkDelayMs };
if (fixturesDir !== undefined) options.fixturesDir = resolve(fixturesDir);
if (values.openapi !== undefined) options.openapiPath = resolve(values.openapi);

const mock = await startMockUpstream(options);
console.log(`mock upstream listening on ${mock.url} (fixtures: ${options.fixturesDir ?? 'none'})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing mock upstream`);
  await mock.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
