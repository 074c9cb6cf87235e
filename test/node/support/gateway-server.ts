import { createTestHarness } from 'wrangler';
import { inject } from 'vitest';
import '../../provided-context.ts';
import { readWranglerFacts } from '../../../bench/wrangler-config.ts';
import { withoutDevVars } from '../../dev-vars.ts';

export const mockUrl = inject('mockUrl');
export const GATEWAY_KEY = 'gw-e2e-key';

/**
 * Vars for tests about how a client handles the gateway's errors (a 429 and its retry-after): one attempt
 * per request, so the gateway passes the upstream's error on at once instead of retrying it first. The
 * gateway's own retries are tested in test/workers/resilience.test.ts.
 */
export const NO_GATEWAY_RETRIES = { MAX_ATTEMPTS: '1' };

/** The gateway running for real (wrangler's dev runtime, workerd) with its default provider on the mock upstream. */
export async function startGateway(vars: Record<string, string> = {}) {
  const server = createTestHarness({
    workers: [
      {
        configPath: './wrangler.toml',
        env: 'dev',
        // A developer's .dev.vars never changes what the tests see.
        vars: {
          ...withoutDevVars(readWranglerFacts('wrangler.toml', 'dev').text),
          ALLOW_ANONYMOUS: 'false',
          OPENAI_BASE_URL: `${mockUrl}/v1`,
          ...vars,
        },
        secrets: { OPENAI_API_KEY: 'sk-e2e-upstream-0000000000', GATEWAY_API_KEYS: GATEWAY_KEY },
      },
    ],
  });
  const { url } = await server.listen();
  return { url: url.toString().replace(/\/$/, ''), close: () => server.close() };
}
