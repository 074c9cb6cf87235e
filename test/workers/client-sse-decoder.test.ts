import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseMessage } from '../../src/client/sse-decoder.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `input` to a fresh decoder in the given pieces (byte offsets) and returns every event. */
function decodeIn(input: Uint8Array, cuts: number[]): SseMessage[] {
  const decoder = new SseDecoder();
  const out: SseMessage[] = [];
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(...decoder.push(input.subarray(start, cut)));
    start = cut;
  }
  out.push(...decoder.end());
  return out;
}

// Every awkward thing at once: a BOM, CRLF, a lone CR, comments, multi-line data, a field without a space
// after the colon, multi-byte UTF-8 (2, 3 and 4 bytes), an id, a retry, an unnamed event, an empty data line.
const AWKWARD =
  '\uFEFF: hello, I am a comment\r\n' +
  'event: delta\r\ndata: {"content":"café 🚀 — ok"}\r\n\r\n' +
  ': keep-alive\n\n' +
  'event: usage\rdata:{"total_tokens":3}\r\r' +
  'id: 7\nretry: 1500\ndata: line one\ndata: line two\n\n' +
  'data\n\n' +
  'event: done\ndata: {"finish_reason":"stop"}\n\n';

const EXPECTED: SseMessage[] = [
  { event: 'delta', data: '{"content":"café 🚀 — ok"}', id: '' },
  { event: 'usage', data: '{"total_tokens":3}', id: '' },
  { event: 'message', data: 'line one\nline two', id: '7', retry: 1500 },
  { event: 'message', data: '', id: '7' },
  { event: 'done', data: '{"finish_reason":"stop"}', id: '7' },
];

describe('the client SSE decoder', () => {
  it('decodes a stream fed whole', () => {
    expect(decodeIn(bytes(AWKWARD), [])).toEqual(EXPECTED);
  });

  it('decodes the same events whatever byte the stream is split at (mid-line, mid-CRLF, mid-UTF-8 character)', () => {
    const input = bytes(AWKWARD);
    for (let cut = 0; cut <= input.length; cut++) expect(decodeIn(input, [cut]), `split at byte ${cut}`).toEqual(EXPECTED);
  });

  it('decodes the same events fed one byte at a time', () => {
    const input = bytes(AWKWARD);
    expect(
      decodeIn(
        input,
        Array.from({ length: input.length }, (_, i) => i),
      ),
    ).toEqual(EXPECTED);
  });

  it('decodes the same events from 200 random splits into several pieces', () => {
    const input = bytes(AWKWARD);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * input.length)).sort((a, b) => a - b);
      expect(decodeIn(input, cuts), `cuts ${cuts.join(',')}`).toEqual(EXPECTED);
    }
  });

  it('keeps a CR that ends one chunk and a LF that starts the next as one line end, not an empty line', () => {
    const decoder = new SseDecoder();
    expect(decoder.push(bytes('data: a\r'))).toEqual([]);
    expect(decoder.push(bytes('\ndata: b\r'))).toEqual([]);
    expect(decoder.push(bytes('\n\r\n'))).toEqual([{ event: 'message', data: 'a\nb', id: '' }]);
  });

  it('discards an event cut off before its blank line, as EventSource does', () => {
    expect(decodeIn(bytes('event: delta\ndata: {"content":"a"}\n\nevent: delta\ndata: {"content":"b"}\n'), [])).toEqual([
      { event: 'delta', data: '{"content":"a"}', id: '' },
    ]);
  });

  it('does not carry an event name over to the next event', () => {
    expect(decodeIn(bytes('event: delta\n\ndata: x\n\n'), [])).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  it('keeps every space after the first one of a value, and ignores unknown fields', () => {
    expect(decodeIn(bytes('data:   two spaces kept\nfoo: bar\n\n'), [])).toEqual([{ event: 'message', data: '  two spaces kept', id: '' }]);
  });
});
