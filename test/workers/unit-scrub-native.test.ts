import { describe, expect, it } from 'vitest';
import { SecretPrefixes } from '../../src/core/scrub.ts';
import type { NativeEvent } from '../../src/core/events.ts';
import type { JsonObject } from '../../src/core/types.ts';
import { NativeScrubber } from '../../src/gateway/scrub-native.ts';

// Anthropic's own stream events on their way to a client: scrubbed of every configured secret, a secret cut across
// text deltas included, and otherwise passed on untouched, data byte for byte.

const SECRET = 'sk-ant-unit-secret-0123456789';
const scrubber = () => new NativeScrubber([SECRET], new SecretPrefixes([SECRET]));

/** An event as the wire keeps it: data with Anthropic's padding, so a re-serialised one shows. */
const event = (json: JsonObject, data = `${JSON.stringify(json)}   `): NativeEvent => ({ event: String(json['type']), data, json });
const text = (index: number, t: string) => event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
const ping = () => event({ type: 'ping' });
const stop = (index: number) => event({ type: 'content_block_stop', index });

/** What a client is sent for these events fed in these batches, the stream then ending. */
function run(batches: NativeEvent[][]): NativeEvent[] {
  const s = scrubber();
  return [...batches.flatMap((batch) => s.push(batch)), ...s.flush()];
}

describe('the native events scrubber', () => {
  it('passes a stream without a secret on as the same events, even a text ending in what could begin one', () => {
    const events = [text(0, 'Keys look like sk-'), text(0, 'something else.'), ping(), stop(0)];
    const out = run([events.slice(0, 1), events.slice(1)]);
    expect(out).toEqual(events);
    for (const [i, e] of out.entries()) expect(e).toBe(events[i]);
  });

  it('sends a secret cut across three text deltas, a ping among them, as one redacted delta, then the ping', () => {
    const [a, b, c] = [SECRET.slice(0, 4), SECRET.slice(4, 12), SECRET.slice(12)];
    const out = run([[text(0, `key: ${a}`)], [text(0, b), ping()], [text(0, `${c} done`), stop(0)]]);
    expect(out.map((e) => e.event)).toEqual(['content_block_delta', 'ping', 'content_block_stop']);
    expect(out[0]?.json).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'key: [redacted] done' } });
    expect(JSON.parse(out[0]?.data ?? '')).toEqual(out[0]?.json);
    expect(JSON.stringify(out)).not.toContain(SECRET.slice(12));
  });

  it('redacts a whole secret in a citation, and one the upstream wrote with JSON escapes', () => {
    const citation = event({
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'citations_delta', citation: { type: 'web_search_result_location', cited_text: `cited ${SECRET}`, url: 'u' } },
    });
    const escaped = text(2, SECRET);
    const raw = { ...escaped, data: JSON.stringify(escaped.json).replace('sk-', '\\u0073k-') };
    const out = run([[citation, raw]]);
    expect(out.map((e) => e.data).join('')).not.toContain(SECRET);
    expect(out.map((e) => e.data).join('')).not.toContain('\\u0073k-');
    expect(out[0]?.json).toMatchObject({ delta: { citation: { cited_text: 'cited [redacted]' } } });
    expect(out[1]?.json).toMatchObject({ delta: { text: '[redacted]' } });
  });

  it('lets a suspect end go when another block comes, and at the end of the stream', () => {
    const suspect = text(0, 'ends in sk-an');
    expect(scrubber().push([suspect])).toEqual([]);
    const s = scrubber();
    s.push([suspect]);
    expect(s.push([stop(0)])).toEqual([suspect, stop(0)]);
    const t = scrubber();
    t.push([suspect]);
    expect(t.flush()).toEqual([suspect]);
  });
});

describe("the native events scrubber on OpenAI's Responses events", () => {
  const delta = (item: string, t: string, type = 'response.output_text.delta') =>
    event({ type, item_id: item, output_index: 0, content_index: 0, delta: t, sequence_number: 1 });

  it('sends a secret cut across two output_text deltas as one redacted delta, its other fields kept', () => {
    const out = run([[delta('msg_1', `key: ${SECRET.slice(0, 9)}`)], [delta('msg_1', `${SECRET.slice(9)} done`)]]);
    expect(out.map((e) => e.json)).toEqual([
      {
        type: 'response.output_text.delta',
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        delta: 'key: [redacted] done',
        sequence_number: 1,
      },
    ]);
    expect(JSON.stringify(out)).not.toContain(SECRET.slice(9));
  });

  it('passes deltas of different items, or a text that only looked like a secret, on byte for byte', () => {
    const events = [delta('msg_1', 'Keys begin sk-'), delta('fc_2', 'an', 'response.function_call_arguments.delta'), delta('msg_1', 'x.')];
    const out = run([events]);
    expect(out).toEqual(events);
    for (const [i, e] of out.entries()) expect(e).toBe(events[i]);
  });
});
