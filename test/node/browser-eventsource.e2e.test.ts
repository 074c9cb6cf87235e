import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, noteMissingChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { scenario } from './support/mock-scenario.ts';

// Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it. Never downloaded by the tests.
// Written straight to stderr: Vitest hides console output of files whose tests did not fail.
noteMissingChromium('the browser EventSource tests');

interface Collected {
  deltas: string[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  done: { finish_reason: string; model: string } | null;
  error: { error: { message: string; type: string; code: string | null } } | null;
  /** Times the connection opened: more than 1 would mean EventSource reconnected after the end. */
  opens: number;
}

/**
 * Runs, in the page, the EventSource snippet of docs/streaming.md: collect `delta`, `usage`, `done`; close on `done`
 * and on `error` (EventSource would otherwise reconnect). Resolves with what arrived.
 */
function listen(page: Page, url: string): Promise<Collected> {
  return page.evaluate(
    (streamUrl) =>
      new Promise<Collected>((resolve) => {
        const out: Collected = { deltas: [], usage: null, done: null, error: null, opens: 0 };
        const es = new EventSource(streamUrl);
        // Named events are MessageEvents; the Node typings this file is checked with do not say so.
        const dataOf = (e: Event) => (e as Event & { data?: string }).data ?? '';
        const finish = () => {
          es.close();
          resolve(out);
        };
        // Never hang the test: what arrived within 10 s is the answer.
        setTimeout(finish, 10_000);
        es.addEventListener('open', () => out.opens++);
        es.addEventListener('delta', (e) => out.deltas.push((JSON.parse(dataOf(e)) as { content?: string }).content ?? ''));
        es.addEventListener('usage', (e) => (out.usage = JSON.parse(dataOf(e)) as Collected['usage']));
        es.addEventListener('done', (e) => {
          out.done = JSON.parse(dataOf(e)) as Collected['done'];
          finish();
        });
        es.addEventListener('error', (e) => {
          // A gateway `event: error` carries data; a connection failure does not.
          const data = dataOf(e);
          if (data) out.error = JSON.parse(data) as Collected['error'];
          finish();
        });
      }),
    url,
  );
}

// A browser EventSource on `GET /stream` in headless Chromium, written as docs/streaming.md shows.
describe.skipIf(!hasChromium)('a browser EventSource on GET /stream (headless Chromium)', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  let page: Page;
  // A page on another origin, as a frontend served from elsewhere would be.
  let site: Server;
  let siteUrl: string;
  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startGateway({ ...NO_GATEWAY_RETRIES, ALLOWED_ORIGINS: '*' }), launchChromium()]);
    page = await browser.newPage();
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>frontend</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    site?.close();
    await gateway?.close();
  });

  it('receives delta events, then usage and done, and closes without reconnecting', async () => {
    await page.goto(`${gateway.url}/health`);
    const got = await listen(page, `/stream?prompt=${encodeURIComponent('Hello browser')}&access_token=${GATEWAY_KEY}`);
    expect(got.error).toBeNull();
    expect(got.deltas.length).toBeGreaterThan(3);
    expect(got.deltas.join('')).toBe('Hello from the mock upstream. You said: Hello browser');
    expect(got.usage?.total_tokens).toBe((got.usage?.prompt_tokens ?? 0) + (got.usage?.completion_tokens ?? 0));
    expect(got.done).toEqual({ finish_reason: 'stop', model: 'openai/gpt-4o-mini' });
    expect(got.opens).toBe(1);
  });

  it('sees a failure after the stream started as an error event with the error body', async () => {
    const { model } = await scenario({ stream: { error_after: 2 } });
    await page.goto(`${gateway.url}/health`);
    const got = await listen(page, `/stream?prompt=Fail&model=${encodeURIComponent(model)}&access_token=${GATEWAY_KEY}`);
    expect(got.deltas.length).toBeGreaterThan(0);
    expect(got.done).toBeNull();
    expect(got.error?.error.message).toMatch(/\S/);
    expect(got.error?.error.type).toMatch(/\S/);
  });

  it('learns why a stream could not start (wrong key, rate limit) from the error event, and does not reconnect', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '30' } });
    await page.goto(`${gateway.url}/health`);
    const wrongKey = await listen(page, '/stream?prompt=x&access_token=not-the-key');
    expect(wrongKey.error?.error).toMatchObject({
      code: 'invalid_api_key',
      message:
        "Invalid gateway key: this gateway knows no such key. Check the key you send (Authorization: Bearer <key>), or ask the gateway's owner for one.",
    });
    const limited = await listen(page, `/stream?prompt=x&model=${encodeURIComponent(model)}&access_token=${GATEWAY_KEY}`);
    expect(limited.error?.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect([wrongKey.opens, limited.opens, limited.deltas.length]).toEqual([1, 1, 0]);
  });

  it('streams to a page on another origin allowed by ALLOWED_ORIGINS', async () => {
    await page.goto(siteUrl);
    const got = await listen(
      page,
      `${gateway.url}/stream?prompt=${encodeURIComponent('Hello from elsewhere')}&access_token=${GATEWAY_KEY}`,
    );
    expect(got.error).toBeNull();
    expect(got.deltas.join('')).toBe('Hello from the mock upstream. You said: Hello from elsewhere');
    expect(got.done?.finish_reason).toBe('stop');
  });
});
