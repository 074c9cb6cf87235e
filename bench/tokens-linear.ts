// Token counting before and after the pieces given to the byte-pair merge were bounded (src/tokens/bounded-count.ts):
// wall time in Node to count 160 KB of text of shapes that once made it quadratic, with gpt-tokenizer's countTokens
// called on the whole text (before) and with the gateway's tokenizer (after).
// Run: npx node bench/tokens-linear.ts   (the "before" column takes about half a minute)
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { loadTokenizer, useRankFiles } from '../src/tokens/encodings.ts';
import { nodeRankFiles } from './node-rank-files.ts';

const SIZE = 160_000;
const asPlainText = { disallowedSpecial: new Set<string>() };
let seed = 24;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const shapes: Record<string, string> = {
  'one letter': 'a'.repeat(SIZE),
  'two letters': 'ab'.repeat(SIZE / 2),
  'random lowercase': pick('abcdefghijklmnopqrstuvwxyz', SIZE),
  'English prose': 'The gateway counts every token it sends and receives. '.repeat(SIZE / 54),
};

const ms = (fn: () => unknown) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};

useRankFiles(nodeRankFiles);
const gateway = await loadTokenizer('openai/gpt-4o');
countTokens('warm up', asPlainText);
console.log(`${'160 KB of'.padEnd(18)} ${'before (ms)'.padStart(12)} ${'after (ms)'.padStart(11)}   tokens before → after`);
for (const [shape, text] of Object.entries(shapes)) {
  let before = 0;
  let after = { tokens: 0, sliced: false };
  const beforeMs = ms(() => {
    before = countTokens(text, asPlainText);
  });
  const afterMs = ms(() => {
    after = gateway.count(text);
  });
  console.log(
    `${shape.padEnd(18)} ${beforeMs.toFixed(0).padStart(12)} ${afterMs.toFixed(1).padStart(11)}   ${before} → ${after.tokens}${after.sliced ? ' (sliced)' : ''}`,
  );
}
