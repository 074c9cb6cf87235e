import { ITERATION_DONE } from '../core/iteration.ts';
import type { ChatCompletionChunk, JsonObject } from '../core/types.ts';
import { SecretPrefixes, scrubError, scrubJson, scrubText } from '../core/scrub.ts';
import { NativeScrubber } from './scrub-native.ts';
import type { GatewayEvent, NativeEvent, Outcome, Stage } from './types.ts';
import { holdTexts, putText, slot, type Step, type TextMap } from './delta-texts.ts';

/**
 * Nothing an upstream sends reaches the client with a configured secret in it, whoever put it there: a model
 * repeating what it was shown, or an upstream echoing the provider key the gateway authorised with (a custom
 * provider, a compromised endpoint). Every string of every event is scrubbed, whatever field carries it, and
 * so is the outcome (the stream's end frames read it). For every call (the provider key is never in the
 * request, yet an upstream can echo it), a stream chunk whose text ends in what could begin a secret is held
 * back until the next chunk of that text settles it; usually nothing is, and chunks go out as they came.
 */
export function scrubStage(secrets: readonly string[]): Stage {
  if (secrets.length === 0) return (next) => next;
  const prefixes = new SecretPrefixes(secrets);
  return (next) => (request) => {
    const call = next(request);
    return {
      answer: call.answer.then((answer) => ({ ...answer, events: scrubbed(answer.events, secrets, prefixes) })),
      outcome: call.outcome.then((outcome) => scrubOutcome(outcome, secrets)),
    };
  };
}

function scrubOutcome(outcome: Outcome, secrets: readonly string[]): Outcome {
  const completion = scrubJson(outcome.completion, secrets);
  const error = outcome.error && scrubError(outcome.error, secrets);
  return completion === outcome.completion && error === outcome.error ? outcome : { ...outcome, completion, error };
}

/** The end of one text field of a chunk not sent yet: `owner[field]` from `from` on. */
interface Part {
  readonly owner: JsonObject;
  readonly field: string;
  readonly from: number;
}

/** Text at the end of one field of one choice that could be the start of a secret, and the parts it lies in. */
interface Suspect {
  readonly choice: number;
  readonly path: readonly Step[];
  readonly text: string;
  readonly parts: readonly Part[];
  /** The number of the chunk that last added to it. */
  readonly seen: number;
}

/** A suspect's text taken out of the chunks it was in, to go before the next text of its field. */
interface Carried {
  readonly choice: number;
  readonly path: readonly Step[];
  readonly text: string;
}

/** The parts of `parts` that hold the last `keep` characters of their joined text. */
function lastParts(parts: readonly Part[], keep: number): Part[] {
  const out: Part[] = [];
  let left = keep;
  for (let i = parts.length - 1; i >= 0 && left > 0; i--) {
    const part = parts[i] as Part;
    const length = (part.owner[part.field] as string).length - part.from;
    out.unshift(length > left ? { ...part, from: part.from + length - left } : part);
    left -= length;
  }
  return out;
}

/**
 * The events with every configured secret scrubbed out. A chunk whose text ends in what could begin a secret is
 * held back whole, with the chunks after it, until the next chunk of that choice settles it: when it continues
 * the text, the suspect either completes a secret (its beginning is cut from the held chunks, the rest redacted)
 * or is dropped, and the chunks go out as the upstream cut them (one piece per token); when it brings something
 * else (reasoning giving way to content, another event), the suspect text is carried to the field's next text,
 * or the choice's finish chunk, so nothing waits on a field that may never continue. A plain iterator.
 */
function scrubbed(
  source: AsyncIterable<GatewayEvent>,
  secrets: readonly string[],
  prefixes: SecretPrefixes,
): AsyncIterableIterator<GatewayEvent> {
  const iterator = source[Symbol.asyncIterator]();
  const suspects = new Map<string, Suspect>();
  const carried = new Map<string, Carried>();
  /** Chunks held back while a suspect is open, in order. */
  let waiting: ChatCompletionChunk[] = [];
  /** Events ready to go out, before anything else is read. */
  const ready: GatewayEvent[] = [];
  let last: ChatCompletionChunk | undefined;
  let seq = 0;
  /** Edits made in place to chunks (held text moved or cut): a batch that had any no longer matches its upstream bytes. */
  let edits = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  /** The provider's own events' scrubber, once a batch carries them. */
  let native: NativeScrubber | undefined;

  // The choice whose delta holdText is working on: one callback for every delta, not a closure made per chunk.
  let choice = 0;
  const holdText: TextMap = (owner, parent, field, text) => {
    const busy = suspects.size > 0 || carried.size > 0;
    const key = busy ? slot(choice, parent, field) : '';
    let whole = text;
    const before = busy ? carried.get(key) : undefined;
    if (before) {
      edits++;
      carried.delete(key);
      whole = scrubText(before.text + text, secrets);
      owner[field] = whole;
    }
    const open = busy ? suspects.get(key) : undefined;
    let parts: readonly Part[] = [];
    if (open) {
      suspects.delete(key);
      const joined = open.text + whole;
      const clean = scrubText(joined, secrets);
      if (clean !== joined) {
        edits++;
        // A secret completed: its beginning leaves the held chunks, and this field carries the redaction.
        for (const part of open.parts) part.owner[part.field] = (part.owner[part.field] as string).slice(0, part.from);
        owner[field] = clean;
        whole = clean;
      } else {
        parts = open.parts;
        whole = joined;
      }
    }
    const keep = prefixes.tailLength(whole);
    if (keep === 0) return;
    const all = [...parts, { owner, field, from: 0 }];
    const path = [...parent, field];
    const suspect = { choice, path, text: whole.slice(whole.length - keep), parts: lastParts(all, keep), seen: seq };
    suspects.set(key || slot(choice, parent, field), suspect);
  };

  /** Takes a suspect's text out of the held chunks, to go before its field's next text. */
  const carry = (key: string, suspect: Suspect) => {
    edits++;
    suspects.delete(key);
    for (const part of suspect.parts) part.owner[part.field] = (part.owner[part.field] as string).slice(0, part.from);
    carried.set(key, { choice: suspect.choice, path: suspect.path, text: suspect.text });
  };

  const scrubChunk = (raw: ChatCompletionChunk): ChatCompletionChunk => {
    const chunk = scrubJson(raw, secrets);
    seq++;
    for (const at of chunk.choices) {
      choice = at.index;
      const delta = at.delta as JsonObject;
      holdTexts(delta, [], holdText);
      if (suspects.size === 0 && carried.size === 0) continue;
      for (const [key, suspect] of suspects) {
        if (suspect.choice !== choice) continue;
        // A finish ends the choice's text: what was suspect was not a secret. A chunk that did not continue it carries it on.
        if (at.finish_reason) suspects.delete(key);
        else if (suspect.seen < seq) carry(key, suspect);
      }
      if (at.finish_reason)
        for (const [key, held] of carried)
          if (held.choice === choice) {
            edits++;
            carried.delete(key);
            putText(delta, held.path, held.text);
          }
    }
    last = chunk;
    return chunk;
  };

  /**
   * The chunks held back, as one event to send now: the stream ended (`final`: what was suspect is just text) or
   * something other than text comes next (what was suspect is carried on).
   */
  const release = (final = false): GatewayEvent | undefined => {
    if (final) suspects.clear();
    for (const [key, suspect] of suspects) carry(key, suspect);
    if (waiting.length === 0) return undefined;
    const chunks = waiting;
    waiting = [];
    return { type: 'chunks', chunks };
  };

  /** What is still carried when the stream ends, as one last chunk. */
  const tail = (): GatewayEvent | undefined => {
    if (carried.size === 0 || !last) return undefined;
    const deltas = new Map<number, JsonObject>();
    for (const held of carried.values()) {
      const delta = deltas.get(held.choice) ?? {};
      putText(delta, held.path, held.text);
      deltas.set(held.choice, delta);
    }
    carried.clear();
    const choices = [...deltas].map(([index, delta]) => ({ index, delta, finish_reason: null, logprobs: null }));
    return { type: 'chunks', chunks: [{ ...last, choices, usage: null } as ChatCompletionChunk] };
  };

  /**
   * A batch with the provider's own events: the client is sent those (scrubbed, held back where a text's end is
   * suspect); its chunks only feed the outcome, which is scrubbed whole, so each is scrubbed alone.
   */
  const takeNative = (chunks: readonly ChatCompletionChunk[], events: readonly NativeEvent[]): GatewayEvent | undefined => {
    native ??= new NativeScrubber(secrets, prefixes);
    const out = native.push(events);
    return out.length === 0 ? undefined : { type: 'chunks', chunks: chunks.map((c) => scrubJson(c, secrets)), native: out };
  };
  /** What the provider's own events' scrubber still holds, as one event. */
  const nativeRest = (): GatewayEvent | undefined => {
    const rest = native?.flush() ?? [];
    return rest.length === 0 ? undefined : { type: 'chunks', chunks: [], native: rest };
  };

  /** What goes out for an event: the event scrubbed, after what was held back; nothing while a batch's end is suspect. */
  const take = (event: GatewayEvent): GatewayEvent | undefined => {
    if (event.type === 'chunks' && event.native) return takeNative(event.chunks, event.native);
    if (event.type !== 'chunks') {
      const held = release();
      if (!held) return scrubJson(event, secrets);
      ready.push(scrubJson(event, secrets));
      return held;
    }
    let chunks: ChatCompletionChunk[] | undefined;
    const editsBefore = edits;
    for (let i = 0; i < event.chunks.length; i++) {
      const chunk = event.chunks[i] as ChatCompletionChunk;
      const clean = scrubChunk(chunk);
      if (clean === chunk) continue;
      chunks ??= [...event.chunks];
      chunks[i] = clean;
    }
    // The usual case: nothing suspect, nothing waiting, the batch goes out as it came (with its upstream bytes, if untouched).
    if (suspects.size === 0 && waiting.length === 0)
      return chunks ? { type: 'chunks', chunks } : edits === editsBefore ? event : { type: 'chunks', chunks: event.chunks };
    waiting.push(...(chunks ?? event.chunks));
    return suspects.size === 0 ? release() : undefined;
  };

  const pull = (): Promise<IteratorResult<GatewayEvent>> => {
    const event = ready.shift();
    if (event) return Promise.resolve({ done: false, value: event });
    if (failure) {
      const { error } = failure;
      failure = undefined;
      ended = true;
      return Promise.reject(error);
    }
    if (ended) return Promise.resolve(ITERATION_DONE);
    return iterator.next().then(
      (result): IteratorResult<GatewayEvent> | Promise<IteratorResult<GatewayEvent>> => {
        if (result.done) {
          ended = true;
          for (const event of [release(true), tail(), nativeRest()]) if (event) ready.push(event);
          return pull();
        }
        const out = take(result.value);
        return out ? { done: false, value: out } : pull();
      },
      (error: unknown) => {
        // What was held back still goes out before the failure.
        const rest = release(true) ?? nativeRest();
        failure = { error };
        return rest ? { done: false, value: rest } : pull();
      },
    );
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: pull,
    return: () => {
      ended = true;
      ready.length = 0;
      return Promise.resolve(iterator.return?.()).then(() => ITERATION_DONE);
    },
  };
}
