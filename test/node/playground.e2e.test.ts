import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, noteMissingChromium } from './support/chromium.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintKey, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it. Never downloaded by the tests.
noteMissingChromium('the playground tests');
/** Screenshots of each state, to look at (not committed). */
const SHOTS = 'test-output/playground';

describe.skipIf(!hasChromium)('the playground at / (headless Chromium, gateway in workerd, mock upstream)', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  /** A managed key of this gateway, which (as npm start without keys) has no GATEWAY_API_KEYS. */
  let GATEWAY_KEY: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [gateway, browser] = await Promise.all([
      // As `npm start` runs it (anonymous calls allowed), with an alias so the picker has more than the default.
      startGateway({ ...NO_GATEWAY_RETRIES, ALLOW_ANONYMOUS: 'true', MODEL_ALIASES: JSON.stringify({ fast: 'openai/mock-model' }) }),
      launchChromium(),
    ]);
    GATEWAY_KEY = await mintKey(gateway.url);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  /**
   * A fresh tab on the playground; console errors, page errors and failed loads are collected. With `key`, the
   * tab starts with the gateway key already entered (kept in sessionStorage, as after typing it once): anonymous
   * calls are only allowed from the origins in ALLOWED_ORIGINS, and this gateway's port is random.
   */
  async function open(viewport = { width: 1100, height: 800 }, key = true): Promise<Page> {
    problems.length = 0;
    page = await browser.newPage({ viewport });
    if (key) await page.addInitScript((k) => sessionStorage.setItem('edge-llm-gateway.key', k), GATEWAY_KEY);
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
    // A stream the page read to its end must not show as a cancelled request (net::ERR_ABORTED) either.
    page.on('requestfailed', (r) => problems.push(`failed ${r.url()}: ${r.failure()?.errorText ?? ''}`));
    await page.goto(`${gateway.url}/`);
    return page;
  }
  afterEach(async () => page?.close());

  async function ask(question: string, model?: string): Promise<void> {
    if (model) await page.fill('#model', model);
    await page.fill('#prompt', question);
    await page.press('#prompt', 'Enter');
  }

  it('loads with no console error, no failed request (favicon included), and lists the served models', async () => {
    await open(undefined, false);
    expect(await page.title()).toBe('edge-llm-gateway playground');
    await page.locator('#model-facts', { hasText: 'Default: openai/gpt-4o-mini' }).waitFor();
    const models = await Promise.all((await page.locator('#models option').all()).map((option) => option.getAttribute('value')));
    // The default and the alias first, then the configured provider's chat models from the price data.
    expect(models.slice(0, 2)).toEqual(['openai/gpt-4o-mini', 'fast']);
    expect(models).toContain('openai/gpt-4o');
    await page.screenshot({ path: `${SHOTS}/load.png` });
    expect(problems).toEqual([]);
  });

  it('keeps the key in this tab (sessionStorage), never in the URL, and sends it', async () => {
    await open(undefined, false);
    await page.fill('#key', GATEWAY_KEY);
    await page.reload();
    expect(await page.inputValue('#key')).toBe(GATEWAY_KEY);
    expect(page.url()).not.toContain(GATEWAY_KEY);
    const { model, id } = await scenario();
    await ask('With my key', model);
    await page.locator('.answer .meta').waitFor();
    expect((await mockCalls(id)).count).toBe(1);
    expect(problems).toEqual([]);
  });

  it('streams an answer token by token, then shows model, tokens, cost, cache, attempts and latency beside it', async () => {
    await open();
    const { model } = await scenario({ stream: { chunk_delay_ms: 80, pieces: 12 } });
    // Every text the answer shows, as it changes (run in the page; a string, as this file has no DOM types).
    await page.evaluate(`
      window.seen = [];
      new MutationObserver(() => {
        const text = document.querySelector('.answer .text')?.textContent ?? '';
        if (text && text !== window.seen.at(-1)) window.seen.push(text);
      }).observe(document.getElementById('conversation'), { subtree: true, childList: true, characterData: true });
    `);
    await ask('Stream to me', model);
    await page.locator('.answer.streaming .text', { hasText: /\S/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/streaming.png` });
    await page.locator('.answer .meta').waitFor();
    const final = 'Hello from the mock upstream. You said: Stream to me';
    const seen = await page.evaluate<string[]>('window.seen');
    expect(seen.at(-1)).toBe(final);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const [i, text] of seen.entries()) {
      expect(final.startsWith(text)).toBe(true);
      if (i > 0) expect(text.length).toBeGreaterThan(seen[i - 1]?.length ?? 0);
    }
    const meta = await page.textContent('.answer .meta');
    expect(meta).toContain(`Model${model}`);
    expect(meta).toMatch(/Tokens\d+ in · \d+ out/);
    expect(meta).toMatch(/Cost(\$[\d.e-]+|n\/a)/);
    expect(meta).toContain('CacheBYPASS');
    expect(meta).toContain('Attempts1');
    expect(meta).toMatch(/Latency\d+ ms to first token, [\d.]+ (ms|s) total/);
    await page.screenshot({ path: `${SHOTS}/answer.png` });
    expect(problems).toEqual([]);
  });

  // That the upstream sees the abort is checked in playground-stop.e2e.test.ts: wrangler's dev server does not pass
  // a client's hang-up on to the Worker (measured: the mock streamed on for 30 s), plain workerd does.
  it('stops a stream with the Stop button, keeping what arrived', async () => {
    await open();
    const { model } = await scenario({ stream: { chunk_delay_ms: 200, pieces: 100 } });
    await ask('Go on for a while', model);
    await page.locator('.answer .text', { hasText: /\S/ }).waitFor();
    await page.click('#stop');
    await page.locator('.answer', { hasText: 'Stopped' }).waitFor();
    const kept = (await page.textContent('.answer .text')) ?? '';
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan('Hello from the mock upstream. You said: Go on for a while'.length);
    expect('Hello from the mock upstream. You said: Go on for a while'.startsWith(kept)).toBe(true);
    expect(await page.isDisabled('#stop')).toBe(true);
    expect(await page.isEnabled('#send')).toBe(true);
    await page.screenshot({ path: `${SHOTS}/stopped.png` });
  });

  it('shows a failure in the middle of a stream, keeping what arrived', async () => {
    await open();
    // Paced, so the text before the failure reaches the page in reads of its own.
    const { model } = await scenario({ stream: { chunk_delay_ms: 50, error_after: 3 } });
    await ask('Fail half-way', model);
    await page.locator('#error', { hasText: 'The answer failed part-way' }).waitFor();
    expect(await page.textContent('.answer .text')).toMatch(/^Hello/);
    await page.screenshot({ path: `${SHOTS}/mid-stream-error.png` });
  });

  it('shows a rate limit with the wait, and gives the question back to send again', async () => {
    await open();
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '30' } });
    await ask('Too fast', model);
    await page.locator('#error', { hasText: 'Rate limited: try again in 30 s.' }).waitFor();
    expect(await page.inputValue('#prompt')).toBe('Too fast');
    expect(await page.locator('#conversation li').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/rate-limited.png` });
  });

  it('shows a wrong key and an unreachable gateway in words a person understands', async () => {
    await open();
    await page.fill('#key', 'not-the-key');
    await ask('Hello');
    await page.locator('#error', { hasText: 'The gateway key was not accepted' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/bad-key.png` });
    await page.fill('#key', GATEWAY_KEY);
    await page.route('**/stream', (route) => route.abort('connectionrefused'));
    await page.press('#prompt', 'Enter');
    await page.locator('#error', { hasText: 'The gateway cannot be reached' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/unreachable.png` });
  });

  it('extracts data matching a schema edited in the Extract tab, reached by keyboard', async () => {
    await open();
    await page.focus('#tab-chat');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#tab-extract', 'aria-selected')).toBe('true');
    await page.fill('#schema', '{ "type": "object", oops }');
    await page.locator('#schema-error', { hasText: 'Not valid JSON' }).waitFor();
    expect(await page.getAttribute('#schema', 'aria-invalid')).toBe('true');
    await page.fill(
      '#schema',
      JSON.stringify(
        {
          type: 'object',
          properties: { name: { type: 'string' }, city: { type: 'string' } },
          required: ['name', 'city'],
          additionalProperties: false,
        },
        null,
        2,
      ),
    );
    await page.click('#extract-run');
    await page.locator('#extract-result .valid').waitFor();
    const data = JSON.parse((await page.textContent('#extract-result pre')) ?? '') as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['city', 'name']);
    const facts = (await page.textContent('#extract-result .meta')) ?? '';
    expect(facts).toContain('Model calls1');
    // The cost comes in the answer's x-gateway-cost-usd header (gpt-4o-mini has a price).
    expect(facts).toMatch(/Cost\$[\d.e-]+/);
    await page.screenshot({ path: `${SHOTS}/extract.png` });
    // A schema that no longer parses takes the earlier result off the screen.
    await page.fill('#schema', '{ "type": ');
    await page.locator('#schema-error', { hasText: 'Not valid JSON' }).waitFor();
    expect(await page.locator('#extract-result .valid').isVisible()).toBe(false);
    expect(problems).toEqual([]);
  });

  it('shows a tool call the model asks for, its arguments joined from the streamed fragments', async () => {
    await open();
    const { model } = await scenario({ tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }] });
    await ask('Weather in Paris?', model);
    await page.locator('.answer .meta').waitFor();
    expect(await page.textContent('.answer .step')).toBe('Calling get_weather({"city":"Paris","unit":"celsius"})');
    await page.screenshot({ path: `${SHOTS}/tool-call.png` });
    expect(problems).toEqual([]);
  });

  // The gateway will report these as extension fields of OpenAI's model object (issue 12); until then the
  // browser is handed that answer, to check the picker shows them.
  it("shows a model's context window and prices when /v1/models reports them", async () => {
    await open();
    await page.route('**/v1/models', (route) =>
      route.fulfill({
        json: {
          object: 'list',
          data: [
            {
              id: 'openai/gpt-4o-mini',
              object: 'model',
              owned_by: 'openai',
              context_window: 128000,
              max_output_tokens: 16384,
              pricing: { input: 0.15, cached_input: 0.075, output: 0.6 },
            },
          ],
        },
      }),
    );
    await page.reload();
    await page.fill('#model', 'openai/gpt-4o-mini');
    await page
      .locator('#model-facts', { hasText: '128k context · 16.4k max output · $0.15 in · $0.075 cached · $0.60 out per 1M tokens' })
      .waitFor();
  });

  it("opens the usage panel: the key's usage when the gateway reports it, else says it does not", async () => {
    await open();
    await page.click('#usage summary');
    await page.locator('#usage-body dl, #usage-body .hint:not(:has-text("Loading"))').first().waitFor();
    const text = (await page.textContent('#usage-body')) ?? '';
    const reported = (await page.locator('#usage-body dl').count()) === 1;
    if (reported) expect(text).toMatch(/^This minute\d+ requests.*Today \(\d{4}-\d\d-\d\d, UTC\)\d+ requests · \d+ tokens · \$/);
    else expect(text).toBe('This gateway does not report usage (no GET /v1/usage).');
    await page.screenshot({ path: `${SHOTS}/usage.png` });
  });

  it('after an answer without a key, the usage panel says usage is counted per key (not that a key is needed)', async () => {
    await open(undefined, false);
    await page.click('#usage summary');
    await page.locator('#usage-body .hint:not(:has-text("Loading"))').first().waitFor();
    expect(await page.textContent('#usage-body')).toMatch(/^Usage is counted per gateway key/);
  });

  it('shows each server tool step as it happens', async () => {
    // The mock asks for `calculate` on its first call and answers in words on the second.
    const { model } = await scenario({
      steps: [{ tool_calls: [{ name: 'calculate', arguments: { expression: '6 * 7' } }] }, { content: '6 * 7 = 42.' }],
    });
    await open();
    await page.click('summary');
    await page.fill('#tools', 'calculate');
    await ask('What is 6 * 7?', model);
    await page.locator('.answer .step', { hasText: 'calculate' }).waitFor();
    await page.locator('.answer .step', { hasText: '→' }).waitFor();
    await page.locator('.answer .meta').waitFor();
    await page.screenshot({ path: `${SHOTS}/tool-steps.png` });
  });

  it('fits a phone: no sideways scrolling, no placeholder cut off, in either tab', async () => {
    for (const viewport of [
      { width: 360, height: 740 },
      { width: 1100, height: 800 },
    ]) {
      await open(viewport);
      await page.click('summary');
      for (const tab of ['chat', 'extract']) {
        await page.click(`#tab-${tab}`);
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow, `sideways overflow at ${viewport.width}px`).toBeLessThanOrEqual(0);
        // Ids of visible inputs whose placeholder is wider than the room inside them.
        const cut = await page.evaluate<string[]>(`(() => {
          const ctx = document.createElement('canvas').getContext('2d');
          return [...document.querySelectorAll('input[placeholder]')].filter((input) => {
            if (input.offsetParent === null) return false;
            const style = getComputedStyle(input);
            ctx.font = style.fontSize + ' ' + style.fontFamily;
            const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return ctx.measureText(input.placeholder).width > room;
          }).map((input) => input.id);
        })()`);
        expect(cut, `placeholders cut off at ${viewport.width}px in the ${tab} tab`).toEqual([]);
        await page.screenshot({ path: `${SHOTS}/layout-${viewport.width}-${tab}.png`, fullPage: true });
      }
      if (viewport.width < 500) await page.close();
    }
  });
});
