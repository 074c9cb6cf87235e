// The tokenizer's rank files on Node (the `unit` tests, the token benches): read from node_modules, where the Worker
// reads its copies from the static assets (src/tokens/asset-rank-files.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { RankFiles } from '../src/tokens/encodings.ts';

const require = createRequire(import.meta.url);

/** gpt-tokenizer's data/<encoding>.tiktoken, as text. Give it to `useRankFiles` before counting on Node. */
export const nodeRankFiles: RankFiles = (encoding) => readFile(require.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`), 'utf8');
