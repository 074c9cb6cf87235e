// W3C Trace Context: which `traceparent` headers are taken, which are ignored, and what goes upstream.
import { describe, expect, it } from 'vitest';
import { traceFrom, tracedFetch, traceparent } from '../../src/core/trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const on = { exporting: true, sampleRatio: 1, random: () => 0.5 };
const off = { exporting: false, sampleRatio: 1, random: () => 0.5 };

describe('traceFrom', () => {
  it("takes a valid header's trace, parent and sampled flag; records only when exporting and sampled", () => {
    expect(traceFrom(`00-${TRACE}-${SPAN}-01`, on)).toMatchObject({ traceId: TRACE, parentSpanId: SPAN, sampled: true, recorded: true });
    expect(traceFrom(`00-${TRACE}-${SPAN}-00`, on)).toMatchObject({ sampled: false, recorded: false });
    expect(traceFrom(`00-${TRACE}-${SPAN}-01`, off)).toMatchObject({ parentSpanId: SPAN, recorded: false });
    // A later version may add fields; only its first four are read.
    expect(traceFrom(`01-${TRACE}-${SPAN}-01-extra`, on)).toMatchObject({ traceId: TRACE });
  });

  it('ignores invalid headers: version ff, all-zero ids, uppercase hex, extra fields on version 00, wrong lengths', () => {
    for (const bad of [
      `ff-${TRACE}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE}1-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-1`,
      'x'.repeat(10_000),
    ]) {
      const trace = traceFrom(bad, on);
      expect(trace?.traceId, bad.slice(0, 60)).not.toBe(TRACE);
      expect(trace?.parentSpanId).toBeUndefined();
      expect(traceFrom(bad, off)).toBeUndefined();
    }
  });

  it('starts a new trace only when exporting, at the sample ratio', () => {
    expect(traceFrom(null, off)).toBeUndefined();
    expect(traceFrom(null, { ...on, sampleRatio: 0.25, random: () => 0.3 })).toBeUndefined();
    const fresh = traceFrom(null, { ...on, sampleRatio: 0.25, random: () => 0.2 });
    expect(fresh).toMatchObject({ parentSpanId: undefined, sampled: true, recorded: true });
    expect(fresh?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('tracedFetch', () => {
  const seen: (string | null)[] = [];
  const recorder: typeof fetch = async (_input, init) => {
    seen.push(new Headers(init?.headers).get('traceparent'));
    return new Response('ok');
  };

  it("sends the attempt's span as the parent, or the caller's own where no span is recorded, and nothing untraced", async () => {
    const recorded = traceFrom(`00-${TRACE}-${SPAN}-01`, on)!;
    const passed = traceFrom(`00-${TRACE}-${SPAN}-01`, off)!;
    await tracedFetch(recorder, recorded, 'aaaaaaaaaaaaaaaa')('http://x', { headers: { a: 'b' } });
    await tracedFetch(recorder, passed, undefined)('http://x');
    await tracedFetch(recorder, undefined, undefined)('http://x');
    expect(seen).toEqual([`00-${TRACE}-aaaaaaaaaaaaaaaa-01`, `00-${TRACE}-${SPAN}-01`, null]);
    expect(traceparent(recorded, recorded.spanId)).toBe(`00-${TRACE}-${recorded.spanId}-01`);
  });
});
