// Copies the tokenizer's rank files (gpt-tokenizer's data/o200k_base.tiktoken and cl100k_base.tiktoken, 5.3 MB) into
// the static assets, public/_gateway/tokenizer/, where the Worker reads them through its ASSETS binding at the first
// token count (src/tokens/asset-rank-files.ts). As Worker modules they cost every new isolate ~20 ms and ~27 MiB at
// startup, and most of the 3 MB upload limit; as assets they cost nothing until a request counts tokens.
// Run by wrangler.toml's [build] command (wrangler dev, deploy, deploy --dry-run, so `npm start` and `npm run check`)
// and by the tests' global setup. Plain JavaScript, so it runs on any Node ≥ 20 before anything is built.
//   node scripts/tokenizer-assets.mjs
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The rank files the gateway counts with; src/tokens/encodings.ts names the same two. */
export const RANK_FILES = ['o200k_base.tiktoken', 'cl100k_base.tiktoken'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where they go: a folder of the assets directory (wrangler.toml [assets]) that is gitignored and served only to the Worker. */
export const TOKENIZER_ASSETS_DIR = join(root, 'public', '_gateway', 'tokenizer');

const sameFile = (a, b) => {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.size === y.size && x.mtimeMs <= y.mtimeMs;
  } catch {
    return false;
  }
};

/** Copies each rank file unless an identical copy is already there (wrangler dev reruns this on every change in src/). */
export function copyTokenizerAssets() {
  const require = createRequire(join(root, 'package.json'));
  mkdirSync(TOKENIZER_ASSETS_DIR, { recursive: true });
  const copied = [];
  for (const file of RANK_FILES) {
    let source;
    try {
      source = require.resolve(`gpt-tokenizer/data/${file}`);
    } catch (error) {
      throw new Error(`tokenizer-assets: gpt-tokenizer/data/${file} not found; run \`npm install\` first.`, { cause: error });
    }
    const dest = join(TOKENIZER_ASSETS_DIR, file);
    if (sameFile(source, dest)) continue;
    copyFileSync(source, dest);
    copied.push(file);
  }
  return copied;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const copied = copyTokenizerAssets();
  const where = relative(process.cwd(), TOKENIZER_ASSETS_DIR) || '.';
  console.log(
    copied.length > 0 ? `tokenizer-assets: copied ${copied.join(', ')} to ${where}/` : `tokenizer-assets: ${where}/ is up to date`,
  );
}
