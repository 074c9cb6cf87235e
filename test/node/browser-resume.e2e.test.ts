// Resumable streams in a real browser (headless Chromium) against the gateway in wrangler's dev runtime and the
// mock upstream's slow stream: the playground resumes an answer across a page reload, and a plain EventSource
// resumes across a connection the network drops, with no client code.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, noteMissingChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it. Never downloaded by the tests.
noteMissingChromium('the browser resume tests');

const WORDS = Array.from({ length: 24 }, (_, i) => `word${i + 1}`).join(' ');
/** The mock's slow stream: 24 pieces, 120 ms apart (about 3 s), long enough to reload or drop in the middle. */
const SLOW = { content: WORDS, stream: { pieces: 24, chunk_delay_ms: 120 } };

/**
 * A proxy in front of the gateway that cuts the first event-stream answer after `cutAfter` bytes, as a network
 * that drops would (the socket is destroyed mid-body); every request's Last-Event-ID is kept.
 */
async function startDroppingProxy(target: string, cutAfter: number) {
  const upstream = new URL(target);
  const lastEventIds: (string | null)[] = [];
  let cut = false;
  const server: Server = createServer((incoming, outgoing) => {
    if ((incoming.headers.accept ?? '').includes('text/event-stream'))
      lastEventIds.push((incoming.headers['last-event-id'] as string) ?? null);
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        const dropThis = !cut && (answer.headers['content-type'] ?? '').startsWith('text/event-stream');
        if (dropThis) cut = true;
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (!dropThis) return void outgoing.write(chunk);
          if (sent + chunk.length < cutAfter) {
            sent += chunk.length;
            return void outgoing.write(chunk);
          }
          outgoing.write(chunk.subarray(0, cutAfter - sent), () => outgoing.socket?.destroy());
          answer.destroy();
        });
        answer.on('end', () => outgoing.end());
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lastEventIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!hasChromium)('resumable streams in headless Chromium', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let key: string;
  let browser: Browser;
  beforeAll(async () => {
    [gateway, browser] = await Promise.all([
      // As `npm start` runs it; the playground's key is a managed key minted with the admin token.
      startGateway({ ...NO_GATEWAY_RETRIES, ALLOW_ANONYMOUS: 'true', ALLOWED_ORIGINS: '*' }),
      launchChromium(),
    ]);
    key = await mintKey(gateway.url);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('the playground shows the full answer once after a reload in the middle of it, from one upstream call', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.addInitScript((k) => sessionStorage.setItem('edge-llm-gateway.key', k), key);
    await page.goto(`${gateway.url}/`);
    const { model, id } = await scenario(SLOW);
    await page.fill('#model', model);
    await page.fill('#prompt', 'Count for me');
    await page.press('#prompt', 'Enter');
    // A few words in: the answer is under way.
    await page.locator('.answer.streaming .text', { hasText: 'word3 ' }).waitFor();
    const before = await page.locator('.answer .text').textContent();
    await page.reload();
    // After the reload the question is back and the answer goes on streaming, then ends with its facts.
    await page.locator('.answer.streaming').waitFor();
    await page.locator('.answer .meta').waitFor();
    expect(await page.locator('#conversation .user .text').allTextContents()).toEqual(['Count for me']);
    expect(await page.locator('#conversation .answer .text').allTextContents()).toEqual([WORDS]);
    expect(before && WORDS.startsWith(before) && before.length < WORDS.length).toBe(true);
    expect((await mockCalls(id)).count).toBe(1);
    // The stream ended: its id is forgotten, and another reload shows the conversation without calling again.
    expect(await page.evaluate(() => sessionStorage.getItem('edge-llm-gateway.stream'))).toBeNull();
    await page.reload();
    await page.locator('#conversation .answer .text', { hasText: WORDS }).waitFor();
    expect(await page.locator('#conversation .answer').count()).toBe(1);
    expect((await mockCalls(id)).count).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('an EventSource whose connection drops mid-answer reconnects by itself with Last-Event-ID and gets the rest once', async () => {
    const proxy = await startDroppingProxy(gateway.url, 700);
    try {
      const { model, id } = await scenario(SLOW);
      const page = await browser.newPage();
      await page.goto(`${proxy.url}/health`);
      const url = `/stream?prompt=hi&resumable=true&model=${encodeURIComponent(model)}&access_token=${key}`;
      // The README's EventSource snippet, plus the ids and the times the connection opened.
      const got = await page.evaluate(
        (streamUrl) =>
          new Promise<{ deltas: string[]; ids: string[]; opens: number; done: boolean }>((resolve) => {
            const out = { deltas: [] as string[], ids: [] as string[], opens: 0, done: false };
            const es = new EventSource(streamUrl);
            const finish = () => {
              es.close();
              resolve(out);
            };
            setTimeout(finish, 20_000);
            es.addEventListener('open', () => out.opens++);
            es.addEventListener('delta', (e) => {
              const message = e as Event & { data: string; lastEventId: string };
              out.ids.push(message.lastEventId);
              out.deltas.push((JSON.parse(message.data) as { content?: string }).content ?? '');
            });
            es.addEventListener('done', () => {
              out.done = true;
              finish();
            });
          }),
        url,
      );
      expect(got.done).toBe(true);
      expect(got.opens).toBe(2);
      expect(got.deltas.join('')).toBe(WORDS);
      const seqs = got.ids.map((i) => Number(i.split(':')[1]));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      // The second connection named the last event the first one delivered.
      expect(proxy.lastEventIds).toHaveLength(2);
      expect(proxy.lastEventIds[0]).toBeNull();
      expect(proxy.lastEventIds[1]).toMatch(/^[0-9a-f-]{36}:\d+$/);
      expect((await mockCalls(id)).count).toBe(1);
      await page.close();
    } finally {
      await proxy.close();
    }
  });
});
