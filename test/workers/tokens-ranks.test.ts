import cl100kFile from 'gpt-tokenizer/data/cl100k_base.tiktoken?raw';
import o200kFile from 'gpt-tokenizer/data/o200k_base.tiktoken?raw';
import cl100kRanks from 'gpt-tokenizer/esm/bpeRanks/cl100k_base';
import o200kRanks from 'gpt-tokenizer/esm/bpeRanks/o200k_base';
import { describe, expect, it } from 'vitest';
import { parseTiktokenRanks } from '../../src/tokens/tiktoken-ranks.ts';

/** Ranks whose entries differ (as JSON: a string, or a list of bytes), at most five of them, to show in a failure. */
function differences(parsed: readonly (string | number[])[], published: readonly (string | number[])[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(parsed.length, published.length) && out.length < 5; i++)
    if (JSON.stringify(parsed[i]) !== JSON.stringify(published[i]))
      out.push(`${i}: ${JSON.stringify(parsed[i])} ≠ ${JSON.stringify(published[i])}`);
  return out;
}

describe('rank tables parsed from the .tiktoken files at first use', () => {
  it("equal gpt-tokenizer's own JavaScript tables, rank for rank (o200k_base)", () => {
    const parsed = parseTiktokenRanks(o200kFile);
    expect(parsed.length).toBe(o200kRanks.length);
    expect(differences(parsed, o200kRanks)).toEqual([]);
  });

  it("equal gpt-tokenizer's own JavaScript tables, rank for rank (cl100k_base)", () => {
    const parsed = parseTiktokenRanks(cl100kFile);
    expect(parsed.length).toBe(cl100kRanks.length);
    expect(differences(parsed, cl100kRanks)).toEqual([]);
  });

  it('keeps bytes that are not UTF-8 as bytes, and a token starting with a BOM too', () => {
    expect(parseTiktokenRanks('IQ== 0\n/w== 2\n77u/ 3\nw6k= 4')).toEqual(['!', '', [255], [0xef, 0xbb, 0xbf], 'é']);
  });
});
