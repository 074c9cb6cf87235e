// `npm start`: runs the gateway with `wrangler dev` on http://127.0.0.1:8787. With no provider key in
// .dev.vars it also starts the project's mock upstream and points the default provider at it, so every
// route works offline with no API key.
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startMockUpstream, type MockUpstream } from '../mock/upstream.ts';

const PORT = process.env['PORT'] ?? '8787';
const MOCK_PORT = Number(process.env['MOCK_PORT'] ?? 8790);
// The mock streams at a pace a person can watch in the playground; MOCK_CHUNK_DELAY_MS=0 for full speed.
const MOCK_CHUNK_DELAY_MS = Number(process.env['MOCK_CHUNK_DELAY_MS'] ?? 30);
const PROVIDER_KEYS = [
  'OPENAI_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GROQ_API_KEY',
  'TOGETHER_API_KEY',
  'OPENROUTER_API_KEY',
  'CLOUDFLARE_API_TOKEN',
  'OLLAMA_BASE_URL',
];

/** The names set in .dev.vars (values are never printed). */
function devVarNames(): Set<string> {
  if (!existsSync('.dev.vars')) return new Set();
  const names = readFileSync('.dev.vars', 'utf8')
    .split('\n')
    .map((line) => /^\s*([A-Z0-9_]+)\s*=\s*\S/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined);
  return new Set(names);
}

const names = devVarNames();
const useMock = !PROVIDER_KEYS.some((k) => names.has(k)) || process.env['USE_MOCK'] === '1';
const vars: string[] = [];
let mock: MockUpstream | undefined;
if (useMock) {
  mock = await startMockUpstream({
    port: MOCK_PORT,
    log: true,
    fixturesDir: '../shared/openai/fixtures',
    chunkDelayMs: MOCK_CHUNK_DELAY_MS,
  });
  vars.push('--var', `OPENAI_BASE_URL:${mock.url}/v1`, '--var', 'OPENAI_API_KEY:mock-key');
}

console.log(
  [
    '',
    '  edge-llm-gateway (local development)',
    `  gateway:  http://127.0.0.1:${PORT}`,
    mock
      ? `  upstream: the mock upstream at ${mock.url} answers every openai/* model (no provider key in .dev.vars),\n            ${MOCK_CHUNK_DELAY_MS} ms between stream chunks (MOCK_CHUNK_DELAY_MS).\n            Put OPENAI_API_KEY=... in .dev.vars to call the real API instead.`
      : `  upstream: the real providers whose keys are in .dev.vars (${PROVIDER_KEYS.filter((k) => names.has(k)).join(', ')}).`,
    `  auth:     ${names.has('GATEWAY_API_KEYS') ? 'keys required: GATEWAY_API_KEYS from .dev.vars (calls without one are refused, as deployed)' : 'anonymous calls allowed (no GATEWAY_API_KEYS in .dev.vars; ALLOW_ANONYMOUS=true in [env.dev])'}`,
    '',
    `  try:  curl -s http://127.0.0.1:${PORT}/chat -H 'content-type: application/json' -d '{"prompt":"Hello"}'`,
    `        curl -N http://127.0.0.1:${PORT}/stream -H 'content-type: application/json' -d '{"prompt":"Hello"}'`,
    '',
  ].join('\n'),
);

// The request log's table (migrations/), in the local D1 database `wrangler dev` uses: applied before it starts, so the
// playground's Logs and Usage tabs work on a fresh clone. Already-applied migrations are skipped; a failure only warns.
const migrated = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'REQUEST_LOG_DB', '--local', '--env', 'dev'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  encoding: 'utf8',
});
if (migrated.status !== 0)
  console.warn(`warning: could not apply the request log's migration (the Logs and Usage tabs need it):\n${migrated.stderr}`);

const wrangler = spawn(
  'wrangler',
  ['dev', '--env', 'dev', '--ip', '127.0.0.1', '--port', PORT, '--show-interactive-dev-session=false', ...vars],
  {
    stdio: ['inherit', 'pipe', 'pipe'],
    // Offline, fetching the Request.cf object fails with a stack trace at every start: use wrangler's placeholder.
    env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...process.env, WRANGLER_SEND_METRICS: 'false' },
  },
);

// The gateway writes one JSON line per request with everything in it; wrangler's own `[wrangler:info] GET /path 200 OK (3ms)`
// for the same request is only a second line saying less, so it is left out. Every other line passes as it came.
const WRANGLER_REQUEST_LINE = /^\[wrangler:info\] [A-Z]+ \S+ \d{3} /;
for (const [from, to] of [
  [wrangler.stdout, process.stdout],
  [wrangler.stderr, process.stderr],
] as const) {
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    if (!WRANGLER_REQUEST_LINE.test(stripVTControlCharacters(line))) to.write(`${line}\n`);
  });
}

const stop = (signal: NodeJS.Signals) => wrangler.kill(signal);
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
wrangler.on('exit', async (code) => {
  await mock?.close();
  process.exit(code ?? 0);
});
