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

/** The admin token of a gateway started with anonymous calls allowed, to mint keys for it (`mintKey`). */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-000000000000';

/**
 * The gateway running for real (wrangler's dev runtime, workerd) with its default provider on the mock upstream.
 * With `ALLOW_ANONYMOUS: 'true'` it runs as `npm start` does without keys in .dev.vars: no GATEWAY_API_KEYS (calls
 * without a key are let in only then), and an admin token so a test can mint a managed key (`mintKey`).
 */
export async function startGateway(vars: Record<string, string> = {}) {
  const anonymous = vars['ALLOW_ANONYMOUS'] === 'true';
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
          ...(anonymous ? { ADMIN_TOKEN: E2E_ADMIN_TOKEN } : {}),
          ...vars,
        },
        secrets: { OPENAI_API_KEY: 'sk-e2e-upstream-0000000000', ...(anonymous ? {} : { GATEWAY_API_KEYS: GATEWAY_KEY }) },
      },
    ],
  });
  const { url } = await server.listen();
  // `harness`: wrangler's test harness itself, for what a test must do behind the gateway (apply D1 migrations, reach a binding).
  return { url: url.toString().replace(/\/$/, ''), close: () => server.close(), harness: server };
}

/** A new managed key of a gateway started with anonymous calls allowed (it has no GATEWAY_API_KEYS). */
export async function mintKey(gatewayUrl: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'e2e' }),
  });
  if (response.status !== 201) throw new Error(`minting a key: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}
