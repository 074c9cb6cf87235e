import type { NativeEvent } from '../core/events.ts';
import { isJsonObject, type JsonObject } from '../core/types.ts';
import { type SecretPrefixes, scrubJson, scrubText } from '../core/scrub.ts';

/**
 * Deltas whose text is joined across events: Anthropic's (`text_delta`, `thinking_delta`, `input_json_delta`: the
 * field of `delta` that holds it) and the Responses API's (`response.output_text.delta` and every other `*.delta`
 * whose `delta` is the text itself: `field` null), with what tells their block and kind apart.
 */
function streamedText(json: JsonObject): { index: unknown; kind: string; field: string | null; text: string } | undefined {
  const type = json['type'];
  const delta = json['delta'];
  if (typeof type === 'string' && type.startsWith('response.') && type.endsWith('.delta') && typeof delta === 'string')
    return {
      index: `${String(json['item_id'])}:${String(json['output_index'])}:${String(json['content_index'])}`,
      kind: type,
      field: null,
      text: delta,
    };
  if (type !== 'content_block_delta') return undefined;
  if (!isJsonObject(delta) || typeof delta['type'] !== 'string') return undefined;
  for (const field of ['text', 'thinking', 'partial_json']) {
    const text = delta[field];
    if (typeof text === 'string') return { index: json['index'], kind: delta['type'], field, text };
  }
  return undefined;
}

/** An event scrubbed: the same event when nothing matched (its data byte for byte), else its scrubbed JSON re-serialised. */
function scrubEvent(event: NativeEvent, secrets: readonly string[]): NativeEvent {
  const json = scrubJson(event.json, secrets);
  const name = scrubText(event.event, secrets);
  if (json === event.json && name === event.event) return event;
  return { event: name, data: json === event.json ? event.data : JSON.stringify(json), json };
}

/** The deltas of one block held back while their joined text ends in what could begin a secret, and the pings among them. */
interface Held {
  readonly index: unknown;
  readonly kind: string;
  readonly field: string | null;
  readonly events: NativeEvent[];
  text: string;
}

/**
 * A provider's own stream events with every configured secret scrubbed out, whatever field carries it (a citation's
 * `cited_text` too). Each event is scrubbed whole; a text delta whose text ends in what could begin a secret is held
 * back, with the deltas of its block after it, until the joined text settles it: no secret, and they go out as they
 * came; a secret, and they go out as one delta carrying the joined, redacted text. One per stream.
 */
export class NativeScrubber {
  readonly #secrets: readonly string[];
  readonly #prefixes: SecretPrefixes;
  #held: Held | undefined;

  constructor(secrets: readonly string[], prefixes: SecretPrefixes) {
    this.#secrets = secrets;
    this.#prefixes = prefixes;
  }

  /** The events safe to send now, in order (fewer than came while a text's end is suspect). */
  push(events: readonly NativeEvent[]): NativeEvent[] {
    const out: NativeEvent[] = [];
    for (const event of events) {
      const text = streamedText(event.json);
      const held = this.#held;
      if (held && text && text.index === held.index && text.kind === held.kind) {
        held.events.push(event);
        held.text += text.text;
        if (this.#prefixes.tailLength(held.text) === 0 || scrubText(held.text, this.#secrets) !== held.text) out.push(...this.#settle());
        continue;
      }
      if (held && event.event === 'ping') {
        held.events.push(event);
        continue;
      }
      out.push(...this.#settle());
      if (text && this.#prefixes.tailLength(text.text) > 0) {
        this.#held = { index: text.index, kind: text.kind, field: text.field, events: [event], text: text.text };
        continue;
      }
      out.push(scrubEvent(event, this.#secrets));
    }
    return out;
  }

  /** What is held back, to go out now: the stream ended, or something else came (what was suspect was not a secret). */
  flush(): NativeEvent[] {
    return this.#settle();
  }

  #settle(): NativeEvent[] {
    const held = this.#held;
    if (!held) return [];
    this.#held = undefined;
    const clean = scrubText(held.text, this.#secrets);
    if (clean === held.text) return held.events.map((event) => scrubEvent(event, this.#secrets));
    // A secret straddled the deltas: one delta carries their joined text, redacted; the pings among them follow it.
    const first = held.events.find((event) => event.event !== 'ping') as NativeEvent;
    const delta = held.field === null ? clean : { ...(first.json['delta'] as JsonObject), [held.field]: clean };
    const json = scrubJson({ ...first.json, delta }, this.#secrets);
    return [{ event: first.event, data: JSON.stringify(json), json }, ...held.events.filter((event) => event.event === 'ping')];
  }
}
