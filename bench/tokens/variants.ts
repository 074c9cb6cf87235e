// The Workers the tokens bench compares: one small entry module per variant, bundled and minified by esbuild
// the way wrangler bundles the gateway. Each answers POST /count (count the chat in the body) and
// POST /parse (only parse the body), so the difference between the two is the counting alone.

export interface Variant {
  readonly name: string;
  readonly what: string;
  /** The entry module's source; `count(messages)` (a number, or a promise of one) must be defined by `setup`. */
  readonly setup: string;
}

const handler = `
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    const { messages } = await request.json();
    if (url.pathname === '/parse') return new Response(String(messages.length));
    return new Response(String(await count(messages)));
  },
};`;

const root = new URL('../../', import.meta.url).pathname;

export const VARIANTS: readonly Variant[] = [
  {
    name: 'baseline',
    what: 'the handler alone (JSON parse, no tokenizer, no prices)',
    setup: 'const count = (messages) => messages.length;',
  },
  {
    name: 'gpt-tokenizer-o200k',
    what: 'gpt-tokenizer, o200k_base only',
    setup: `import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
const count = (messages) => messages.reduce((n, m) => n + 3 + countTokens(m.content), 3);`,
  },
  {
    name: 'gpt-tokenizer-both',
    what: 'gpt-tokenizer, o200k_base and cl100k_base, both built at startup',
    setup: `import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
globalThis.cl100k = cl100k;
const count = (messages) => messages.reduce((n, m) => n + 3 + countTokens(m.content), 3);`,
  },
  {
    name: 'gpt-tokenizer-cl100k-lazy',
    what: 'gpt-tokenizer, o200k_base built at startup, cl100k_base ranks bundled but its encoder built on first use',
    setup: `import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { GptEncoding } from 'gpt-tokenizer/esm/GptEncoding';
import ranks from 'gpt-tokenizer/esm/bpeRanks/cl100k_base';
globalThis.cl100k = () => GptEncoding.getEncodingApi('cl100k_base', () => ranks);
const count = (messages) => messages.reduce((n, m) => n + 3 + countTokens(m.content), 3);`,
  },
  {
    name: 'js-tiktoken-o200k',
    what: 'js-tiktoken (lite + o200k_base ranks)',
    setup: `import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
const enc = new Tiktoken(o200k);
const count = (messages) => messages.reduce((n, m) => n + 3 + enc.encode(m.content).length, 3);`,
  },
  {
    name: 'js-tiktoken-both',
    what: 'js-tiktoken, o200k_base and cl100k_base',
    setup: `import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
const enc = new Tiktoken(o200k);
globalThis.cl100k = new Tiktoken(cl100k);
const count = (messages) => messages.reduce((n, m) => n + 3 + enc.encode(m.content).length, 3);`,
  },
  {
    name: 'genai-prices',
    what: '@pydantic/genai-prices alone (bundled price data)',
    setup: `import { calcPrice } from '@pydantic/genai-prices';
const count = (messages) => calcPrice({ input_tokens: messages.length, output_tokens: 1 }, 'gpt-4o', { providerId: 'openai' }).total_price;`,
  },
  {
    name: 'src-tokens',
    what: "the gateway's src/tokens (gpt-tokenizer o200k_base + cl100k_base loaded at first use, genai-prices, countChatTokens)",
    setup: `import { countChatTokens } from '${root}src/tokens/count-chat.ts';
import { useRankFiles } from '${root}src/tokens/encodings.ts';
import { costOf } from '${root}src/tokens/prices.ts';
import o200k from 'gpt-tokenizer/data/o200k_base.tiktoken';
import cl100k from 'gpt-tokenizer/data/cl100k_base.tiktoken';
useRankFiles(async (encoding) => (encoding === 'o200k_base' ? o200k : cl100k));
globalThis.costOf = costOf;
const count = async (messages) => (await countChatTokens('openai/gpt-4o', messages)).tokens;`,
  },
];

/** The entry module of a variant. */
export const entrySource = (variant: Variant): string => `${variant.setup}\n${handler}\n`;
