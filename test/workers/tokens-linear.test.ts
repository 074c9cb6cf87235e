import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/esm/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { countBounded, MAX_PIECE_CHARS, type PieceEncoder, tokenUpperBound } from '../../src/tokens/bounded-count.ts';
import { countChatTokens, exactAllowance } from '../../src/tokens/count-chat.ts';
import { call } from './support/gateway.ts';

const asPlainText = { disallowedSpecial: new Set<string>() };
const ENCODERS = {
  o200k: { countExact: (text: string) => countO200k(text, asPlainText), splitPattern: O200K_TOKEN_SPLIT_REGEX },
  cl100k: { countExact: (text: string) => countCl100k(text, asPlainText), splitPattern: CL100K_TOKEN_SPLIT_REGEX },
} satisfies Record<string, PieceEncoder>;

/**
 * The encoder with a meter: every text given to the exact count is split by the encoding's own pattern, as
 * gpt-tokenizer splits it, and the longest piece (what the quadratic byte-pair merge receives) and the
 * characters counted are recorded.
 */
function metered(encoder: PieceEncoder) {
  const meter = { calls: 0, chars: 0, longestPiece: 0 };
  const counting: PieceEncoder = {
    splitPattern: encoder.splitPattern,
    countExact: (text) => {
      meter.calls++;
      meter.chars += text.length;
      for (const [piece] of text.matchAll(new RegExp(encoder.splitPattern.source, 'gu')))
        meter.longestPiece = Math.max(meter.longestPiece, piece.length);
      return encoder.countExact(text);
    },
  };
  return { meter, counting };
}

/** A seeded generator (mulberry32), so every run tests the same texts. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIZE = 160_000;
const random = seeded(23);
const fromAlphabet = (alphabet: readonly string[], n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const BASE64 = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'];
const LOWER = [...'abcdefghijklmnopqrstuvwxyz'];
const CJK = Array.from({ length: 3000 }, (_, i) => String.fromCodePoint(0x4e00 + i * 7));
const EMOJI = Array.from({ length: 80 }, (_, i) => String.fromCodePoint(0x1f600 + i));

const PATHOLOGICAL: Record<string, string> = {
  'one letter': 'a'.repeat(SIZE),
  'two letters': 'ab'.repeat(SIZE / 2),
  'random lowercase': fromAlphabet(LOWER, SIZE),
  'a base64 blob': fromAlphabet(BASE64, SIZE),
  'CJK without spaces or punctuation': fromAlphabet(CJK, SIZE / 2),
  emoji: fromAlphabet(EMOJI, SIZE / 2),
  'one long run of spaces': ' '.repeat(SIZE),
  'newlines and slashes after a mark (one o200k piece)': `!${'\n/'.repeat(SIZE / 2)}`,
  'a letter run behind ordinary words': `${'hello world '.repeat(1000)}${'x'.repeat(SIZE)} and the end`,
};

describe('token counting is linear in the text, whatever its shape', () => {
  for (const [shape, text] of Object.entries(PATHOLOGICAL))
    for (const [name, encoder] of Object.entries(ENCODERS))
      it(`gives the byte-pair merge no piece over ${MAX_PIECE_CHARS} characters and counts each character once: ${shape} (${name})`, () => {
        const { meter, counting } = metered(encoder);
        const { tokens } = countBounded(text, counting);
        expect(meter.longestPiece).toBeLessThanOrEqual(MAX_PIECE_CHARS);
        expect(meter.chars).toBe(text.length);
        // Slices cost at most a token or so each over the true count, and never exceed the byte bound.
        expect(tokens).toBeGreaterThan(0);
        expect(tokens).toBeLessThanOrEqual(tokenUpperBound(text));
      });

  it('says when it sliced a run, and only then', () => {
    expect(countBounded('a'.repeat(SIZE), ENCODERS.o200k).sliced).toBe(true);
    // A base64 blob is many short pieces (digits and '+' and '/' split it): counted exactly, unsliced.
    const blob = PATHOLOGICAL['a base64 blob'] ?? '';
    expect(countBounded(blob, ENCODERS.o200k)).toEqual({ tokens: ENCODERS.o200k.countExact(blob), sliced: false });
  });

  it('counts a sliced run close to its exact count (checked on a run short enough to count exactly)', () => {
    for (const text of ['a'.repeat(4000), fromAlphabet(LOWER, 3000), fromAlphabet(CJK, 2000)]) {
      const exact = ENCODERS.o200k.countExact(text);
      const { tokens } = countBounded(text, ENCODERS.o200k);
      const cuts = Math.ceil(text.length / MAX_PIECE_CHARS);
      expect(Math.abs(tokens - exact)).toBeLessThanOrEqual(cuts);
    }
  });
});

// Ordinary texts of every shape a conversation has; each longer than MAX_PIECE_CHARS so the bounded path runs.
const WORDS = [
  'the',
  'gateway',
  'counts',
  'tokens',
  "don't",
  "it's",
  'HTTP/1.1',
  'https://example.com/a/b?c=d',
  '12345678',
  '3.14159',
  'ünïcödé',
  '日本語のテキストです。',
  '中文，没有空格。',
  'สวัสดีครับ',
  '🙂',
  '{"json":',
  'true}',
  '<|endoftext|>',
  '\t',
  '\n',
  '\n\n',
  '   ',
  '!!!',
  '—',
  'naïve',
  'CamelCaseIdentifier',
  'snake_case_name',
  '$x',
  '#',
  'a/b/c',
  '\r\n',
];

describe('ordinary text keeps exactly the count OpenAI gives', () => {
  const texts: string[] = [];
  for (let i = 0; i < 300; i++) {
    const n = 60 + Math.floor(random() * 400);
    // Mostly joined by single spaces, sometimes by none or by several, as real text and code are.
    const parts = Array.from({ length: n }, () => fromAlphabet(WORDS, 1) + fromAlphabet([' ', ' ', ' ', '', '  ', '\n'], 1));
    texts.push(parts.join(''));
  }
  texts.push(
    'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(400),
    'function f(x) {\n  return x * 2;\n}\n\n'.repeat(300),
    `${'東京は日本の首都です。'.repeat(200)}`,
    `${fromAlphabet(BASE64, 200)} ${fromAlphabet(BASE64, 200)} `.repeat(20),
  );
  for (const [name, encoder] of Object.entries(ENCODERS))
    it(`equals gpt-tokenizer's own count on ${texts.length} seeded texts (${name})`, () => {
      for (const text of texts) {
        expect(text.length).toBeGreaterThan(MAX_PIECE_CHARS);
        expect(countBounded(text, encoder), JSON.stringify(text.slice(0, 80))).toEqual({ tokens: encoder.countExact(text), sliced: false });
      }
    });

  it('counts ordinary text in one call of the exact count (no second pass)', () => {
    const { meter, counting } = metered(ENCODERS.o200k);
    countBounded('the quick brown fox jumps over the lazy dog. '.repeat(4000), counting);
    expect(meter.calls).toBe(1);
  });
});

describe('TOKENS_EXACT_MAX_CHARS', () => {
  const chat = (content: string) => [{ role: 'user', content }];
  // Around a message's content: 3 tokens a message, 1 for "user" (4 characters, counted first), 3 priming the reply.
  const FRAME = 7;

  it('counts past the allowance by the UTF-8 byte bound and says the count is estimated', async () => {
    const text = 'hello world '.repeat(100);
    const exact = await countChatTokens('openai/gpt-4o', chat(text));
    expect(exact.estimated).toBe(false);
    const bounded = await countChatTokens('openai/gpt-4o', chat(text), undefined, exactAllowance(4 + text.length - 1));
    expect(bounded).toEqual({ tokens: FRAME + tokenUpperBound(text), estimated: true });
    expect(tokenUpperBound(text)).toBe(text.length);
    expect(await countChatTokens('openai/gpt-4o', chat(text), undefined, exactAllowance(4 + text.length))).toEqual(exact);
  });

  it('bounds UTF-8 bytes: 2 for é, 3 for 日, 4 for an emoji', () => {
    expect(tokenUpperBound('aé日🙂')).toBe(1 + 2 + 3 + 4);
  });

  it('shares one allowance among the texts of a request', async () => {
    const allowance = exactAllowance(1000);
    expect((await countChatTokens('openai/gpt-4o', chat('x '.repeat(400)), undefined, allowance)).estimated).toBe(false);
    expect(allowance.chars).toBe(1000 - 4 - 800);
    expect((await countChatTokens('openai/gpt-4o', chat('x '.repeat(400)), undefined, allowance)).estimated).toBe(true);
  });

  it('POST /v1/tokens/count answers 160 KB of one letter with a sliced, estimated count', async () => {
    const response = await call('/v1/tokens/count', { json: { model: 'openai/gpt-4o', messages: chat('a'.repeat(SIZE)) } });
    expect(response.status).toBe(200);
    const body = await response.json<{ tokens: number; estimated: boolean }>();
    expect(body.estimated).toBe(true);
    // 625 slices of 256 letters (32 tokens each in o200k).
    expect(body.tokens).toBe(625 * ENCODERS.o200k.countExact('a'.repeat(MAX_PIECE_CHARS)) + FRAME);
  });

  it('POST /v1/tokens/count counts past the deployer’s TOKENS_EXACT_MAX_CHARS by the byte bound', async () => {
    const text = 'hello world '.repeat(100);
    const response = await call('/v1/tokens/count', {
      json: { model: 'openai/gpt-4o', messages: chat(text) },
      env: { TOKENS_EXACT_MAX_CHARS: '100' },
    });
    expect(await response.json()).toMatchObject({ tokens: text.length + FRAME, estimated: true });
  });
});
