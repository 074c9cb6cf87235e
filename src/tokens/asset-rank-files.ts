// The tokenizer's rank files as the Worker's static assets: scripts/tokenizer-assets.mjs copies them into
// public/_gateway/tokenizer/ (wrangler.toml's [build] command), and wrangler.toml's `run_worker_first` sends outside
// requests for that path to the Worker (a 404), so only the Worker itself reads them, through its ASSETS binding.
import { GatewayError } from '../errors.ts';
import type { EncodingName, RankFiles } from './encodings.ts';

/** Where the rank files are in the static assets. */
export const TOKENIZER_ASSETS_PATH = '/_gateway/tokenizer/';

/**
 * Reads an encoding's rank file from the static assets. A missing file is a deployment left incomplete: a 500 that
 * names the file and the fix (x-should-retry: false); the next count tries again.
 * @example useRankFiles(assetRankFiles(env.ASSETS))
 */
export function assetRankFiles(assets: Fetcher): RankFiles {
  return async (encoding: EncodingName) => {
    const path = `${TOKENIZER_ASSETS_PATH}${encoding}.tiktoken`;
    // The host is not used: the binding answers from this Worker's own assets.
    const response = await assets.fetch(`https://assets.invalid${path}`);
    if (!response.ok) {
      await response.body?.cancel();
      throw new GatewayError(
        500,
        `The tokenizer's rank file ${path} is missing from the gateway's static assets (ASSETS answered ${response.status}), so tokens cannot be counted. Run \`node scripts/tokenizer-assets.mjs\` (wrangler runs it as wrangler.toml's [build] command) and deploy again.`,
        { type: 'server_error', code: 'gateway_not_configured' },
      );
    }
    return response.text();
  };
}
