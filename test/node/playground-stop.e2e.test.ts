import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { hasChromium, launchChromium, noteMissingChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../bench/bundle.ts';
import { GATEWAY_KEY } from '../../bench/requests.ts';
import { startGateway, type GatewayServer } from '../../bench/servers.ts';
import { readWranglerFacts } from '../../bench/wrangler-config.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';
import { mockUrl } from './support/gateway-server.ts';
noteMissingChromium('the playground Stop tests');

const TYPES: Record<string, string> = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript' };

// The Stop button against the production bundle in plain workerd: the one local setup where a client hanging
// up reaches the Worker as in production (wrangler's dev server does not pass it on). Plain workerd has no
// static assets, so the browser is handed public/ for the page's own files, as Cloudflare's asset layer
// would serve them before the Worker; the page's calls to /v1 and /stream go to workerd over real HTTP.
describe.skipIf(!hasChromium)('the playground Stop button against the production bundle', () => {
  let dir: string;
  let gateway: GatewayServer;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'playground-stop-'));
    const bundle = await buildBundle('wrangler.toml', join(dir, 'dist'));
    [gateway, browser] = await Promise.all([
      startGateway({ bundle, facts: readWranglerFacts('wrangler.toml'), mockUrl, workDir: join(dir, 'run') }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.workerd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aborts the upstream model call when the person presses Stop', async () => {
    const page = await browser.newPage();
    await page.route(/\/(index\.html|style\.css|js\/.*\.js)?$/, (route) => {
      const path = new URL(route.request().url()).pathname;
      const file = join('public', path === '/' ? 'index.html' : path);
      return route.fulfill({ body: readFileSync(file), contentType: TYPES[extname(file)] ?? 'application/octet-stream' });
    });
    await page.goto(`${gateway.url}/`);
    await page.fill('#key', GATEWAY_KEY);
    const { model, id } = await scenario({ stream: { chunk_delay_ms: 200, pieces: 100 } });
    await page.fill('#model', model);
    await page.fill('#prompt', 'Go on for a while');
    await page.click('#send');
    await page.locator('.answer .text', { hasText: /\S/ }).waitFor();
    await page.click('#stop');
    await page.locator('.answer', { hasText: 'Stopped' }).waitFor();
    let closed = false;
    for (let i = 0; i < 40 && !closed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      closed = (await mockCalls(id)).closed_by_client === 1;
    }
    expect(closed).toBe(true);
    expect((await mockCalls(id)).count).toBe(1);
    await page.close();
  });
});
