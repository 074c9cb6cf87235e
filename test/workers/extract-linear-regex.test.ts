// The matcher /extract validates caller patterns with: the same answers as the engine, in steps linear in the text.
import { describe, expect, it } from 'vitest';
import { LinearRegex, RegexWorkExceeded } from '../../src/extract/linear-regex.ts';

const PATTERNS = [
  '^(\\w|\\d)*$',
  '^[a-z]+$',
  'a|b',
  '^$',
  '',
  '^(foo|bar)+$',
  '^x{2,3}$',
  '\\bcat\\b',
  '\\Bat',
  '^\\p{L}+(?: \\p{L}+)*$',
  '^(?<y>\\d{4})-\\d{2}$',
  '[^]',
  '[]',
  '^.$',
  '\\uD83D\\uDE00',
  '^\\u{1F600}$',
  '(a|)*b',
  '^(?:x|y|z){2,}$',
  'a{0}b',
  '^[\\s\\S]{0,3}$',
  '^\\d+(\\.\\d+)?$',
  '\\cJ',
  '^\\x41+$',
  '^a*?b$',
  '[\\]]',
  '^\\w*\\w*\\w*!$',
  '[\\p{Lu}\\d]{2}',
];
const TEXTS = [
  '',
  'a',
  'ab',
  'foobar',
  'xx',
  'xxxx',
  'a cat!',
  'bat',
  'hello world',
  'hello  world',
  '2024-05',
  '\n',
  '😀',
  'aab',
  'xyz',
  '3.14',
  '3.',
  'AAA',
  ']',
  'aaa!',
  'A1',
  'a1',
  'ÉÉ',
  `${'1'.repeat(12)}!`,
];

describe('LinearRegex', () => {
  it('answers test() as new RegExp(source, "u") does, on every pattern and text of a table', () => {
    const differ: string[] = [];
    for (const source of PATTERNS) {
      const native = new RegExp(source, 'u');
      const linear = new LinearRegex(source);
      for (const text of TEXTS) if (native.test(text) !== linear.test(text)) differ.push(`${source} on ${JSON.stringify(text)}`);
    }
    expect(differ).toEqual([]);
  });

  it('takes at most 2 × its size steps per character where backtracking takes n^4 (^\\w*\\w*\\w*\\w*!$ on 100,000 letters)', () => {
    const regex = new LinearRegex('^\\w*\\w*\\w*\\w*!$');
    const text = 'a'.repeat(100_000);
    expect(regex.test(text)).toBe(false);
    expect(regex.steps).toBeLessThanOrEqual(2 * regex.size * (text.length + 1));
    expect(regex.steps).toBeGreaterThan(0);
  });

  it('stops with RegexWorkExceeded past the steps it is given', () => {
    expect(() => new LinearRegex('^(\\w|\\d)*$').test(`${'1'.repeat(10_000)}!`, 1000)).toThrow(RegexWorkExceeded);
  });
});
