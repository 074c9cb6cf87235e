import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ChunkNormalizer, type NormalizeOptions } from '../../src/providers/normalize.ts';

// A chunk that `ChunkNormalizer.isNormal` accepts is used, and on the relay path sent, exactly as it came: so
// normalising it must change nothing, byte for byte once encoded. Checked on every recorded stream in ../shared and
// on each way a chunk can need normalising.

// The ids normalising makes up for chunks without one must be the same in both runs that are compared.
beforeAll(() => {
  vi.spyOn(crypto, 'randomUUID').mockReturnValue('00000000-0000-4000-8000-000000000000');
});

const SHARED = ['../shared/openai/fixtures', '../shared/providers'].filter((dir) => existsSync(dir));

/** The `data:` payloads of a recorded stream (`.sse` framed, `.chunks.jsonl` one per line), [DONE] and non-JSON left out. */
function payloads(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const lines = file.endsWith('.jsonl')
    ? text.split('\n')
    : text
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim());
  return lines.flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !('error' in value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

const recordings = SHARED.flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.sse') || name.endsWith('.chunks.jsonl'))
    .map((name) => join(dir, name)),
);

/** Runs a stream as the gateway does (kept when normal, else normalised) beside plain normalising; how many were kept. */
function compare(stream: readonly unknown[], options: NormalizeOptions = {}): number {
  const skipping = new ChunkNormalizer('fallback-model', options);
  const reference = new ChunkNormalizer('fallback-model', options);
  let kept = 0;
  for (const payload of stream) {
    const raw = JSON.stringify(payload);
    const parsed: unknown = JSON.parse(raw);
    const normal = skipping.isNormal(parsed);
    const used = normal ? parsed : skipping.normalize(parsed);
    const expected = reference.normalize(JSON.parse(raw));
    expect(JSON.stringify(used)).toBe(JSON.stringify(expected));
    if (normal) {
      kept++;
      expect(JSON.stringify(expected), 'a kept chunk is the bytes it came in').toBe(raw);
    }
  }
  return kept;
}

const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini' };
const choice = (fields: Record<string, unknown> = {}) => ({
  index: 0,
  delta: { content: 'a' },
  logprobs: null,
  finish_reason: null,
  ...fields,
});

describe('ChunkNormalizer.isNormal', () => {
  it.skipIf(recordings.length === 0)(
    'keeps only chunks that normalising leaves byte for byte as they are, in every recorded stream',
    () => {
      let kept = 0;
      for (const file of recordings) kept += compare(payloads(file));
      for (const file of recordings) compare(payloads(file), { usageUnasked: true });
      // OpenAI's own streams are spec-valid: most of their chunks are kept.
      expect(kept).toBeGreaterThan(100);
    },
  );

  it.each([
    ['a finish reason outside the spec', { ...head, choices: [choice({ finish_reason: 'end_turn' })] }],
    ['no finish reason at all', { ...head, choices: [{ index: 0, delta: { content: 'a' } }] }],
    ['a null system_fingerprint', { ...head, system_fingerprint: null, choices: [choice()] }],
    ['an unknown service tier', { ...head, service_tier: 'on_demand', choices: [choice()] }],
    ['no model', { ...head, model: '', choices: [choice()] }],
    ['a created time with a fraction', { ...head, created: 1700000000.5, choices: [choice()] }],
    ['content as parts', { ...head, choices: [choice({ delta: { content: [{ type: 'text', text: 'a' }] } })] }],
    ['a message instead of a delta', { ...head, choices: [{ index: 0, message: { content: 'a' }, finish_reason: null }] }],
    ['an unknown role', { ...head, choices: [choice({ delta: { role: 'model', content: 'a' } })] }],
    ['tool-call deltas', { ...head, choices: [choice({ delta: { tool_calls: [{ index: 1, function: { arguments: '{' } }] } })] }],
    ['usage without a total', { ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }],
    ["Groq's usage", { ...head, choices: [choice()], x_groq: { usage: { prompt_tokens: 1, completion_tokens: 2 } } }],
  ])('turns down %s', (_what, chunk) => {
    expect(new ChunkNormalizer('m').isNormal(chunk)).toBe(false);
    compare([chunk]);
  });

  it('turns down a chunk whose id or created differ from the stream’s first, and any chunk when output is a structured tool', () => {
    const normalizer = new ChunkNormalizer('m');
    expect(normalizer.isNormal({ ...head, choices: [choice()] })).toBe(true);
    expect(normalizer.isNormal({ ...head, id: 'chatcmpl-2', choices: [choice()] })).toBe(false);
    expect(normalizer.isNormal({ ...head, created: 1, choices: [choice()] })).toBe(false);
    expect(new ChunkNormalizer('m', { structuredTool: 'answer' }).isNormal({ ...head, choices: [choice()] })).toBe(false);
  });

  it('turns down cumulative usage on a chunk that does not finish when the provider sends usage unasked', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    expect(new ChunkNormalizer('m', { usageUnasked: true }).isNormal({ ...head, choices: [choice()], usage })).toBe(false);
    expect(new ChunkNormalizer('m').isNormal({ ...head, choices: [choice()], usage })).toBe(true);
  });
});
