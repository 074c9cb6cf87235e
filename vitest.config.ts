import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { readWranglerFacts } from './bench/wrangler-config.ts';
import { withoutDevVars } from './test/dev-vars.ts';

// Three projects: the gateway's tests run inside workerd (the real Workers runtime, real local KV and Durable
// Objects); the tests of pure modules (codecs, decoders, prices, budget arithmetic, validators: no binding, no
// request) run on Node as `unit`, in seconds (`npm run test:fast`); the mock upstream's own tests and the end-to-end
// client tests run on Node as `node`.
const UNIT = [
  'client-sse-decoder',
  'config-variables',
  'limits-call-bound',
  'limits-rules',
  'loops-step-account',
  'sse-decoder',
  'tokens-count',
  'tokens-limits',
  'tokens-prices',
  'tokens-price-table',
  'tokens-trim',
  'tools-loop',
  'tools-run',
  'unit-accumulate',
  'unit-cache-key',
  'unit-cooldown',
  'unit-fake-clock',
  'unit-import-graph',
  'unit-normalize-skip',
  'unit-replay',
  'unit-retry-timing',
  'unit-trace-context',
].map((name) => `test/workers/${name}.test.ts`);

// The tokenizer's rank files are static assets the Worker reads through ASSETS: copied into public/ before the runs
// that start a gateway (wrangler.toml's [build] command does the same for wrangler dev and deploy).
const TOKENIZER_ASSETS = 'test/setup/tokenizer-assets.ts';

/**
 * A project of tests inside workerd against the mock upstream; `extra` bindings on top of the test env. The same files
 * run twice where a variable chooses between two paths that must behave alike.
 */
const workersProject = (name: string, include: string[], extra: Record<string, string> = {}) => ({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      // workerd's --verbose logs every expected disconnect (a mock upstream that resets or cuts a
      // connection, a client that hangs up) as an "uncaught exception … Network connection lost" trace,
      // even when the code handles it, and passing tests then look failed. Real errors stay loud:
      // assertions, unhandled rejections (Vitest reports them and fails the run) and runtime crashes.
      verbose: false,
      miniflare: {
        // The Worker under test talks to the mock upstream started in globalSetup.
        bindings: {
          // A developer's .dev.vars (ADMIN_TOKEN, provider keys…) never changes what the tests see.
          ...withoutDevVars(readWranglerFacts('wrangler.toml').text),
          OPENAI_BASE_URL: `${inject<string>('mockUrl')}/v1`,
          OPENAI_API_KEY: 'sk-test-upstream-key-0123456789',
          GATEWAY_API_KEYS: 'gw-test-key-1,gw-test-key-2',
          ALLOW_ANONYMOUS: 'false',
          // The request log's schema, applied to the local D1 by the tests that read it (applyD1Migrations).
          TEST_MIGRATIONS: await readD1Migrations('migrations'),
          ...extra,
        },
      },
    })),
  ],
  test: {
    name,
    include,
    exclude: UNIT,
    globalSetup: ['test/setup/mock-upstream.ts', TOKENIZER_ASSETS],
    // Fails a file whose responses or log lines contain a configured secret's value; counts read ASSETS as the Worker does.
    setupFiles: ['test/workers/support/secret-scan.ts', 'test/workers/support/rank-files.ts'],
    typecheck: { enabled: false },
  },
});

// The stream tests again with the mock's provider relayed (RELAY_PROVIDERS): every feature holds on both paths.
const RELAYED = [
  'cancellation',
  'chat-completions',
  'pipeline-outcomes',
  'recorded-responses',
  'resilience',
  'security-secrets',
  'security-secrets-hostile-upstream',
  'tools-routes',
].map((name) => `test/workers/${name}.test.ts`);

export default defineConfig({
  test: {
    // Each gateway request writes one JSON log line; show them only for failing tests.
    silent: 'passed-only',
    // Two test files at a time even on 2 cores (Vitest's default there is one): most of a file's time is waiting on
    // workerd, wrangler or Chromium, not CPU. npm test on a 2-core machine: 272 s one at a time, 192 s two at a time.
    maxWorkers: 2,
    projects: [
      workersProject(
        'workers',
        // RUNTIME_OUTPUT_FIXTURES: test/node/quiet-output.test.ts runs these fixtures alone to check what a run prints.
        process.env['RUNTIME_OUTPUT_FIXTURES'] ? ['test/setup/fixtures/*.fixture.ts'] : ['test/workers/**/*.test.ts'],
      ),
      ...(process.env['RUNTIME_OUTPUT_FIXTURES'] ? [] : [workersProject('workers-relay', RELAYED, { RELAY_PROVIDERS: 'openai' })]),
      {
        // On Node, the tokenizer's rank files are read from node_modules.
        test: { name: 'unit', include: UNIT, environment: 'node', setupFiles: ['test/setup/unit-rank-files.ts'] },
      },
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/mock-upstream.ts', TOKENIZER_ASSETS],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
