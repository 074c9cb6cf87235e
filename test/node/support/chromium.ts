import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); the browser tests never download one. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Says once, for a file, that its browser tests are skipped on this machine. */
export function noteMissingChromium(what: string): void {
  if (!hasChromium) process.stderr.write(`[tests] ${CHROMIUM} not found: ${what} are skipped (apt-get install -y chromium).\n`);
}

/** Headless Chromium as every browser test runs it: no sandbox (containers), no GPU, no QUIC, nothing in the background. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
