// Resumable streams over real HTTP, in wrangler's dev runtime: a client that hangs up really disconnects (no
// in-process stream), and the stream's Durable Object sees it. The properties are in test/workers/resumable-streams.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bench/bundle.ts';
import { GATEWAY_KEY as BENCH_KEY } from '../../bench/requests.ts';
import { type GatewayServer, startGateway as startProductionGateway } from '../../bench/servers.ts';
import { readWranglerFacts } from '../../bench/wrangler-config.ts';
import { GATEWAY_KEY, mockUrl, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

interface Event {
  id: string | null;
  event: string | null;
}

function eventsOf(text: string): Event[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => ({ id: /^id: (.*)$/m.exec(block)?.[1] ?? null, event: /^event: (.*)$/m.exec(block)?.[1] ?? null }));
}

/** Reads until `count` complete events have come, then aborts the connection. */
async function readThenHangUp(url: string, init: RequestInit, count: number): Promise<{ events: Event[]; streamId: string | null }> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const complete = eventsOf(text.slice(0, text.lastIndexOf('\n\n') + 2));
    if (complete.length >= count) {
      controller.abort();
      return { events: complete.slice(0, count), streamId: response.headers.get('x-gateway-stream-id') };
    }
    const { done, value } = await reader.read();
    if (done) throw new Error('the stream ended before the cut');
    text += decoder.decode(value, { stream: true });
  }
}

const auth = { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json', 'x-gateway-resumable': 'true' };

describe('a resumable stream over real HTTP', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway?.close());

  it('a client that hangs up and reconnects with Last-Event-ID gets the rest, once, from one upstream call', async () => {
    const { model, id } = await scenario({ content: 'one two three four five six seven eight nine ten', stream: { chunk_delay_ms: 20 } });
    const init = { method: 'POST', headers: auth, body: JSON.stringify({ model, prompt: 'hi' }) };
    const head = await readThenHangUp(`${gateway.url}/stream`, init, 3);
    const rest = await fetch(`${gateway.url}/stream/${head.streamId}`, {
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'last-event-id': head.events.at(-1)!.id! },
    });
    const seen = [...head.events, ...eventsOf(await rest.text())];
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => `${head.streamId}:${i + 1}`));
    expect(seen.at(-1)?.event).toBe('done');
    expect((await mockCalls(id)).count).toBe(1);
  });
});

// Only plain workerd delivers a client hanging up over real HTTP to the Worker as production does (wrangler's dev
// server in front does not): the production bundle, as test/node/production-runtime.e2e.test.ts runs it.
describe('a resumable stream nobody comes back to, in the production bundle', () => {
  let dir: string;
  let gateway: GatewayServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-resumable-'));
    const bundle = await buildBundle('wrangler.toml', join(dir, 'dist'));
    const facts = readWranglerFacts('wrangler.toml');
    // No grace period: the alarm fires as soon as the last client is gone (the test waits for an effect, not a time).
    gateway = await startProductionGateway({
      bundle,
      facts: { ...facts, text: { ...facts.text, RESUMABLE_GRACE_SECONDS: '0' } },
      mockUrl,
      workDir: join(dir, 'run'),
    });
  });
  afterAll(async () => {
    await gateway?.workerd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has its upstream call cancelled once its client hangs up', async () => {
    const { model, id } = await scenario({ content: 'word '.repeat(200), stream: { pieces: 100, chunk_delay_ms: 50 } });
    const headers = { ...auth, authorization: `Bearer ${BENCH_KEY}` };
    await readThenHangUp(`${gateway.url}/stream`, { method: 'POST', headers, body: JSON.stringify({ model, prompt: 'hi' }) }, 1);
    for (let i = 0; i < 200 && (await mockCalls(id)).closed_by_client === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await mockCalls(id)).closed_by_client).toBe(1);
    expect((await mockCalls(id)).count).toBe(1);
  });
});
