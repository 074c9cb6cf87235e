import { execFileSync } from 'node:child_process';

/**
 * Copies the tokenizer's rank files into the static assets (public/_gateway/tokenizer/) before any test runs, as
 * wrangler.toml's [build] command does for wrangler dev and deploy: the gateway under test reads them through ASSETS.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/tokenizer-assets.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
