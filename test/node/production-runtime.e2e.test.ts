import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bench/bundle.ts';
import { GATEWAY_KEY } from '../../bench/requests.ts';
import { startGateway, type GatewayServer } from '../../bench/servers.ts';
import { readWranglerFacts } from '../../bench/wrangler-config.ts';
import { mockUrl } from './support/gateway-server.ts';

// The production bundle (minified, as `wrangler deploy` ships it) in plain `workerd serve`, with nothing in
// front of it: the one setup where a client hanging up over real HTTP reaches the Worker as in production.
describe('the production bundle in plain workerd', () => {
  let dir: string;
  let gateway: GatewayServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-prod-'));
    const bundle = await buildBundle('wrangler.toml', join(dir, 'dist'));
    gateway = await startGateway({ bundle, facts: readWranglerFacts('wrangler.toml'), mockUrl, workDir: join(dir, 'run') });
  });
  afterAll(async () => {
    await gateway?.workerd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body }),
      ...(signal ? { signal } : {}),
    });
  const calls = async (id: string) =>
    (await (await fetch(`${mockUrl}/__mock/calls/${id}`)).json()) as { count: number; closed_by_client: number };

  it('answers streamed and non-stream requests', async () => {
    const plain = await send({});
    expect((await plain.json()) as unknown).toMatchObject({ object: 'chat.completion' });
    const streamed = await (await send({ stream: true })).text();
    expect(streamed.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('counts tokens with each encoding loaded at first use from the static assets (the ASSETS binding)', async () => {
    for (const model of ['openai/gpt-4o', 'openai/gpt-4']) {
      const response = await fetch(`${gateway.url}/v1/tokens/count`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello there' }] }),
      });
      expect((await response.json()) as unknown).toMatchObject({ tokens: 9, estimated: false });
    }
  });

  it('aborts the upstream request when a streaming client hangs up', async () => {
    const id = crypto.randomUUID();
    const client = new AbortController();
    const response = await send({ stream: true, mock: { id, stream: { chunk_delay_ms: 200, pieces: 100 } } }, client.signal);
    await response.body!.getReader().read();
    client.abort();
    let closed = false;
    for (let i = 0; i < 40 && !closed; i++) {
      await new Promise((r) => setTimeout(r, 50));
      closed = (await calls(id)).closed_by_client === 1;
    }
    expect(closed).toBe(true);
    expect((await calls(id)).count).toBe(1);
  });

  it('answers identical concurrent misses with one upstream call, across separate requests', async () => {
    const id = crypto.randomUUID();
    const body = { temperature: 0, mock: { id, delay_ms: 300 } };
    const responses = await Promise.all(Array.from({ length: 5 }, () => send(body)));
    const texts = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(
      new Set(texts.map((t) => (JSON.parse(t) as { choices: { message: { content: string } }[] }).choices[0]?.message.content)).size,
    ).toBe(1);
    expect((await calls(id)).count).toBe(1);
    expect(gateway.workerd.stderr()).not.toMatch(/different request/i);
  });
});
