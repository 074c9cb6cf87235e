import { describe, expect, it } from 'vitest';
import { SseDecoder, readSse } from '../../src/stream/sse-decoder.ts';

const decodeAll = (pieces: string[]) => {
  const d = new SseDecoder();
  return [...pieces.flatMap((p) => d.push(p)), ...d.flush()];
};

describe('SseDecoder', () => {
  const body = 'event: delta\ndata: {"a":1}\n\n: keep-alive\n\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n';
  const expected = [
    { event: 'delta', data: '{"a":1}' },
    { event: null, data: '', comment: 'keep-alive' },
    { event: null, data: 'line one\nline two' },
    { event: null, data: '[DONE]' },
  ];

  it('parses named events, comments, multi-line data and [DONE]', () => {
    expect(decodeAll([body])).toEqual(expected);
  });

  it('gives the same events whichever byte the input is split at', () => {
    for (let i = 1; i < body.length; i++) expect(decodeAll([body.slice(0, i), body.slice(i)])).toEqual(expected);
  });

  it('gives the same events fed one character at a time', () => {
    expect(decodeAll([...body])).toEqual(expected);
  });

  it('accepts CRLF and lone CR line ends, even when a CRLF is split between pieces', () => {
    const crlf = body.replace(/\n/g, '\r\n');
    for (let i = 1; i < crlf.length; i++) expect(decodeAll([crlf.slice(0, i), crlf.slice(i)])).toEqual(expected);
    expect(decodeAll([body.replace(/\n/g, '\r')])).toEqual(expected);
  });

  it('returns a last event that has no closing blank line on flush', () => {
    expect(decodeAll(['data: {"x":1}'])).toEqual([{ event: null, data: '{"x":1}' }]);
  });

  it('keeps a value without the optional space and ignores id and retry fields', () => {
    expect(decodeAll(['data:{"x":1}\nid: 7\nretry: 100\n\n'])).toEqual([{ event: null, data: '{"x":1}' }]);
  });

  it('reads field names exactly: a bare `data` line is an empty data line, lookalike names are ignored', () => {
    const text = 'data\ndata: x\n\ndatum: no\nevents: no\nevent:named\ndata:  two spaces\ndata: a: b\n\n';
    const expected = [
      { event: null, data: '\nx' },
      { event: 'named', data: ' two spaces\na: b' },
    ];
    expect(decodeAll([text])).toEqual(expected);
    for (let i = 1; i < text.length; i++) expect(decodeAll([text.slice(0, i), text.slice(i)])).toEqual(expected);
    expect(decodeAll([text.replace(/\n/g, '\r\n')])).toEqual(expected);
  });

  it('reads a byte stream whose multi-byte characters are split across network reads', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo 👋"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]));
        c.close();
      },
    });
    const events = [];
    for await (const batch of readSse(body)) events.push(...batch);
    expect(events).toEqual([{ event: null, data: '{"t":"héllo 👋"}' }]);
  });
});

describe('readSse', () => {
  it('gives all the events of one network read together, in one batch per read', async () => {
    const reads = ['data: 1\n\ndata: 2\n\ndata: 3\n\n', ': ping\n\n', 'data: 4\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const r of reads) c.enqueue(new TextEncoder().encode(r));
        c.close();
      },
    });
    const batches: string[][] = [];
    for await (const batch of readSse(body)) batches.push(batch.filter((e) => e.comment === undefined).map((e) => e.data));
    expect(batches).toEqual([['1', '2', '3'], [], ['4']]);
  });
});
