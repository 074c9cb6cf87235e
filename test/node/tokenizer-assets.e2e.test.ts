import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway } from './support/gateway-server.ts';

// The tokenizer's rank files are static assets in public/_gateway/tokenizer/ that only the Worker reads (through
// ASSETS): wrangler.toml's `run_worker_first` sends outside requests for them to the Worker. Checked in wrangler's
// dev runtime (its asset router in front of the Worker, as deployed), which the in-workerd tests do not have.
describe("the tokenizer's rank files in the static assets, over real HTTP", () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('are not served to outside callers: GET of their path is the JSON 404 of an unknown route', async () => {
    for (const file of ['o200k_base.tiktoken', 'cl100k_base.tiktoken', 'no-such-file']) {
      // The files are there (the tests' global setup copies them, as the build does): the 404 is the Worker's, not a miss.
      expect(existsSync(`public/_gateway/tokenizer/${file}`)).toBe(file !== 'no-such-file');
      const response = await fetch(`${gateway.url}/_gateway/tokenizer/${file}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toMatchObject({ error: { code: 'unknown_route' } });
    }
  });

  it('are read by the Worker itself at the first token count', async () => {
    for (const model of ['openai/gpt-4o', 'openai/gpt-4']) {
      const response = await fetch(`${gateway.url}/v1/tokens/count`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello there' }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ tokens: 9, estimated: false });
    }
  });

  it('leave the other static assets served as before (the playground at /)', async () => {
    const response = await fetch(`${gateway.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });
});
