// The playground's Logs and Usage tabs in headless Chromium, over a request log seeded the way a deployment fills
// it: today's rows from real calls through the gateway (wrangler's dev runtime, its local Queue and D1) to the mock
// upstream; the six days before from log lines sent to the same Queue, so the same consumer writes them. The
// screenshots committed under docs/ are taken here: `UPDATE_DOCS_SCREENSHOTS=1 npx vitest run --project node
// test/node/playground-dashboards.e2e.test.ts` writes them there (otherwise to test-output/, to look at).
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, noteMissingChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ADMIN_TOKEN, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { prng } from '../support/prng.ts';

// Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it. Never downloaded by the tests.
noteMissingChromium('the dashboard tests');
const SHOTS = process.env['UPDATE_DOCS_SCREENSHOTS'] ? 'docs' : 'test-output/dashboards';
const DAY_MS = 86_400_000;

/** Per million tokens (input, output), as the gateway's price data has them for these models. */
const MODELS = [
  { model: 'openai/gpt-4o-mini', input: 0.15, output: 0.6, weight: 5 },
  { model: 'openai/gpt-4o', input: 2.5, output: 10, weight: 2 },
  { model: 'openai/gpt-4.1-nano', input: 0.1, output: 0.4, weight: 2 },
];

/** Log lines (the JSON line the gateway writes for each request) of the six days before today, 6 to 12 calls a day. */
function earlierDays(now: number): string[] {
  const random = prng(27);
  const lines: string[] = [];
  for (let day = 6; day >= 1; day--) {
    const calls = 6 + random(7);
    for (let i = 0; i < calls; i++) {
      const pick = random(9);
      const m = (pick < 5 ? MODELS[0] : pick < 7 ? MODELS[1] : MODELS[2]) ?? MODELS[0]!;
      const failed = random(10) === 0;
      const cache = failed ? 'BYPASS' : (['HIT', 'MISS', 'MISS', 'BYPASS'][random(4)] ?? 'MISS');
      const hit = cache === 'HIT';
      const prompt = 200 + random(3000);
      const completion = failed ? 0 : 50 + random(900);
      const latency = hit ? 5 + random(20) : 300 + random(2500);
      lines.push(
        JSON.stringify({
          at: new Date(now - day * DAY_MS - random(20) * 3_600_000).toISOString(),
          request_id: `seeded-${day}-${i}`,
          method: 'POST',
          route: '/v1/chat/completions',
          caller: random(3) === 0 ? 'batch-jobs' : 'web-app',
          stream: random(2) === 0,
          provider: 'openai',
          model_requested: m.model,
          model: m.model,
          cache,
          attempts: hit ? [] : [{ model: m.model, status: failed ? 500 : 200, ms: latency }],
          prompt_tokens: hit ? 0 : prompt,
          completion_tokens: hit ? 0 : completion,
          ...(hit ? {} : { cost_usd: (prompt * m.input + completion * m.output) / 1e6 }),
          status: failed ? 502 : 200,
          ...(failed ? { error_type: 'upstream_error', error_code: 'upstream_error' } : {}),
          latency_ms: latency,
        }),
      );
    }
  }
  return lines;
}

async function mint(gatewayUrl: string, name: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`minting a key: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}

describe.skipIf(!hasChromium)('the Logs and Usage tabs (headless Chromium, a seeded request log)', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  let webKey: string;
  /** Today's calls, made for real. */
  let realCalls = 0;
  let total = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync('test-output/dashboards', { recursive: true });
    [gateway, browser] = await Promise.all([startGateway({ ...NO_GATEWAY_RETRIES, ALLOW_ANONYMOUS: 'true' }), launchChromium()]);
    const worker = gateway.harness.getWorker();
    await worker.applyD1Migrations('REQUEST_LOG_DB');
    webKey = await mint(gateway.url, 'web-app');
    const batchKey = await mint(gateway.url, 'batch-jobs');
    const chat = async (key: string, body: Record<string, unknown>) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Tell me about the request log.' }], ...body }),
      });
      await response.text();
      realCalls++;
      return response;
    };
    // Today's calls: answers of several sizes and speeds, two failures, a stream, and a cache hit.
    for (const [i, m] of MODELS.entries())
      for (let n = 0; n < 3; n++)
        await chat(n === 2 ? batchKey : webKey, {
          model: m.model,
          mock: { content: 'A row per call. '.repeat(10 + 20 * i + 5 * n), delay_ms: 40 * (i + 1) + 30 * n },
        });
    await chat(webKey, { model: 'openai/gpt-4o', mock: { status: 500 } });
    await chat(batchKey, { model: 'openai/gpt-4o-mini', mock: { status: 429 } });
    await chat(webKey, { model: 'openai/gpt-4o-mini', stream: true, mock: { stream: { chunk_delay_ms: 5 } } });
    const cached = { model: 'openai/gpt-4o-mini', temperature: 0, mock: { content: 'Cached answer.' } };
    await chat(webKey, cached);
    // The cache write goes through waitUntil: ask again until the answer comes from the cache (a bounded wait for an effect).
    for (let i = 0; i < 40 && (await chat(webKey, cached)).headers.get('x-gateway-cache') !== 'HIT'; i++);
    // The days before today, through the same Queue and consumer.
    const env = (await worker.getEnv()) as {
      REQUEST_LOG_QUEUE: { sendBatch(messages: { body: string; contentType: 'text' }[]): Promise<void> };
    };
    const earlier = earlierDays(Date.now());
    await env.REQUEST_LOG_QUEUE.sendBatch(earlier.map((body) => ({ body, contentType: 'text' as const })));
    total = realCalls + earlier.length;
    // The consumer takes batches of up to 100 lines or 5 s: wait until every model call is in D1. (Every request is
    // logged, these reads and the key mints too; they have no model.)
    let rows = 0;
    for (let i = 0; i < 40 && rows < total; i++) {
      const page = await fetch(`${gateway.url}/admin/logs?limit=1000`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
      rows = ((await page.json()) as { data: { route: string }[] }).data.filter((r) => r.route === '/v1/chat/completions').length;
      if (rows < total) await new Promise((r) => setTimeout(r, 500));
    }
    expect(rows).toBe(total);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    // The gateway key too, so the models (and their prices, for the cost breakdown) are listed.
    await page.addInitScript((k) => sessionStorage.setItem('edge-llm-gateway.key', k), webKey);
    await page.goto(`${gateway.url}/`);
    return page;
  }

  it('Logs: asks for the admin token, keeps it in this tab only, pages with the cursor, filters, and shows one call', async () => {
    const page = await open();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.click('#tab-logs');
    await page.locator('#log-status', { hasText: 'Enter the admin token' }).waitFor();
    // A wrong token is refused in words.
    await page.fill('#admin-token', 'not-the-token');
    await page.press('#admin-token', 'Enter');
    await page.locator('#log-status', { hasText: 'The admin token was not accepted.' }).waitFor();
    await page.fill('#admin-token', E2E_ADMIN_TOKEN);
    await page.press('#admin-token', 'Enter');
    await page.locator('#log-status', { hasText: '50 calls, more below' }).waitFor();
    expect(await page.locator('#log-rows tr').count()).toBe(50);
    await page.click('#log-more');
    // The next page, after the cursor: the table grows (every request is logged, these reads too, so the total moves).
    await expect.poll(() => page.locator('#log-rows tr').count()).toBeGreaterThan(50);
    const times = await page.locator('#log-rows tr td:nth-child(1)').allTextContents();
    expect(times.at(-1)).not.toBe(times[0]);

    // Filters: a key, a status, a time range.
    await page.fill('#log-key', 'batch-jobs');
    await page.click('#log-filters button[type=submit]');
    await page.locator('#log-status', { hasText: /calls?, newest first/ }).waitFor();
    const keys = await page.locator('#log-rows tr td:nth-child(2)').allTextContents();
    expect(keys.length).toBeGreaterThan(3);
    expect(new Set(keys)).toEqual(new Set(['batch-jobs']));
    await page.click('#log-filters button[type=reset]');
    await page.fill('#log-status-code', '429');
    await page.click('#log-filters button[type=submit]');
    await page.locator('#log-status', { hasText: '1 call, newest first' }).waitFor();
    expect(await page.locator('#log-rows tr td:nth-child(5)').allTextContents()).toEqual(['429']);
    await page.click('#log-filters button[type=reset]');
    // The last hour (the page's time zone is UTC): today's real calls only.
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    await page.fill('#log-from', local(Date.now() - 3_600_000));
    await page.fill('#log-key', 'web-app');
    await page.click('#log-filters button[type=submit]');
    await page.locator('#log-status', { hasText: /calls?, newest first/ }).waitFor();
    const recent = await page.locator('#log-rows tr').count();
    expect(recent).toBeGreaterThan(3);
    expect(recent).toBeLessThan(realCalls);

    // One call's detail: a gpt-4o answer, its attempts and what its cost is made of.
    await page
      .locator('#log-rows tr')
      .filter({ has: page.locator('td:nth-child(4)', { hasText: /^openai\/gpt-4o$/ }) })
      .filter({ has: page.locator('td:nth-child(5)', { hasText: '200' }) })
      .first()
      .locator('button')
      .click();
    const detail = page.locator('#log-detail');
    await detail.waitFor();
    await expect.poll(() => detail.textContent()).toContain('Attempts');
    const text = (await detail.textContent()) ?? '';
    expect(text).toMatch(/Input\d+ × \$2\.50\/1M = \$/);
    expect(text).toMatch(/Output\d+ × \$10\.00\/1M = \$/);
    await page.screenshot({ path: `${SHOTS}/playground-logs.png`, fullPage: true });

    // The admin token is in this tab's sessionStorage only: not in localStorage, not in the URL.
    expect(await page.evaluate(() => sessionStorage.getItem('edge-llm-gateway.admin-token'))).toBe(E2E_ADMIN_TOKEN);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(E2E_ADMIN_TOKEN);
    expect(page.url()).not.toContain(E2E_ADMIN_TOKEN);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Usage: spend per day stacked by model, requests and errors, latency percentiles and cache hit rate, as charts', async () => {
    const page = await open();
    await page.evaluate((t) => sessionStorage.setItem('edge-llm-gateway.admin-token', t), E2E_ADMIN_TOKEN);
    await page.reload();
    await page.click('#tab-usage');
    await page.locator('#usage-charts figure.chart').nth(3).waitFor();
    const titles = await page.locator('#usage-charts figcaption').allTextContents();
    expect(titles.map((t) => t.split('.')[0])).toEqual([
      'Spend per day, by model',
      'Requests and errors per dayErrors: answered with a status of 400 or more',
      'Latency per day, by modelp95 solid, p50 dashed',
      'Cache hit rate per dayHits among the calls the cache could answer (HIT or MISS)',
    ]);
    const spend = page.locator('#usage-charts figure.chart').nth(0);
    // Seven days with calls (six seeded, today's real ones), stacked by the three models.
    expect(await spend.locator('.legend li').allTextContents()).toEqual(expect.arrayContaining(MODELS.map((m) => m.model)));
    const days = new Set((await spend.locator('rect title').allTextContents()).map((t) => t.split(' · ')[0]));
    expect(days.size).toBe(7);
    // Every bar and point says what it is.
    expect(await page.locator('#usage-charts figure.chart').nth(1).locator('rect title').first().textContent()).toMatch(
      / · (Succeeded|Errors): \d+/,
    );
    expect(await page.locator('#usage-charts figure.chart').nth(2).locator('circle').count()).toBeGreaterThan(10);
    expect(await page.locator('#usage-charts figure.chart').nth(3).locator('circle title').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/ · Cache hits: \d+%$/)]),
    );
    const tiles = await page.locator('.tile').allTextContents();
    // Every request is counted (the admin API's own reads too), the model calls among them.
    const week = Number(tiles.find((t) => t.endsWith('requests'))?.replace('requests', ''));
    expect(week).toBeGreaterThanOrEqual(total);
    await page.screenshot({ path: `${SHOTS}/playground-usage.png`, fullPage: true });
    // The last 24 hours, by hour: today's calls only.
    await page.selectOption('#usage-range', '24h');
    await page.locator('#usage-charts figcaption', { hasText: 'Spend per hour, by model' }).waitFor();
    const today = await page.locator('.tile').allTextContents();
    const requests = Number(today.find((t) => t.endsWith('requests'))?.replace('requests', ''));
    expect(requests).toBeGreaterThanOrEqual(realCalls);
    // The seeded days (at least 36 calls) are older than a day.
    expect(requests).toBeLessThan(week - 30);
    await page.close();
  });

  it('fits a phone: no sideways scrolling in the Logs and Usage tabs (the wide table scrolls inside its box)', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.addInitScript((t) => sessionStorage.setItem('edge-llm-gateway.admin-token', t), E2E_ADMIN_TOKEN);
    await page.goto(`${gateway.url}/`);
    await page.click('#tab-logs');
    await page.locator('#log-rows tr').first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await page.click('#tab-usage');
    await page.locator('#usage-charts figure.chart').nth(3).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await page.screenshot({ path: 'test-output/dashboards/usage-360.png', fullPage: true });
    await page.close();
  });
});
