import { ITERATION_DONE } from '../core/iteration.ts';
import { isJsonObject, type ChatCompletionChunk, type JsonObject } from '../core/types.ts';
import { SecretPrefixes, scrubError, scrubJson, scrubText } from '../core/scrub.ts';
import type { GatewayEvent, Outcome, Stage } from './types.ts';

/**
 * Nothing an upstream sends reaches the client with a configured secret in it, whoever put it there: a model
 * repeating what it was shown, or an upstream echoing the provider key the gateway authorised with (a custom
 * provider, a compromised endpoint). Every string of every event is scrubbed, whatever field carries it, and
 * so is the outcome (the stream's end frames read it). Stream text a client joins across chunks is also held
 * back where a chunk's tail could be the start of a secret, for every call (the provider key is never in the
 * request, yet an upstream can echo it): usually nothing is held, at most a few characters that begin a key;
 * they go out with the next chunk of the same field, the choice's finish chunk, or one last chunk.
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

/** A step into a delta: a field name, or the element of a list that carries this `index` (a tool call). */
type Step = string | { readonly index: number };

/** Delta fields a client replaces rather than joins across chunks: never text to hold back. */
const IDENTIFIERS: ReadonlySet<string> = new Set(['role', 'id', 'type', 'name']);

/** Text that is still held back, for one choice and one field of its delta. */
interface Held {
  readonly choice: number;
  readonly path: readonly Step[];
  readonly text: string;
}

/** The key of a held text: its choice and path, e.g. `0/content`, `0/tool_calls/#1/function/arguments`. */
const slot = (choice: number, path: readonly Step[]) =>
  `${choice}/${path.map((s) => (typeof s === 'string' ? s : `#${s.index}`)).join('/')}`;

/**
 * The events with every configured secret scrubbed out, and the held-back tails sent as one last chunk. A plain
 * iterator, not a generator: a stream's batch costs one promise here.
 */
function scrubbed(
  source: AsyncIterable<GatewayEvent>,
  secrets: readonly string[],
  prefixes: SecretPrefixes,
): AsyncIterableIterator<GatewayEvent> {
  const iterator = source[Symbol.asyncIterator]();
  const held = new Map<string, Held>();
  let last: ChatCompletionChunk | undefined;
  let ended = false;

  // The choice whose delta holdText is working on: one callback for every delta, not a closure made per chunk.
  let choice = 0;
  let finishing = false;
  /**
   * One text field (`parent` then `field`) of a choice's delta, joined to what was held for it, with the tail that
   * could begin a secret held back. Its path is only built when something is or was held (rare).
   */
  const holdText: TextMap = (parent, field, text) => {
    let whole = text;
    if (held.size > 0) {
      const key = slot(choice, [...parent, field]);
      const before = held.get(key);
      if (before) {
        held.delete(key);
        whole = scrubText(before.text + text, secrets);
      }
    }
    const keep = finishing ? 0 : prefixes.tailLength(whole);
    if (keep === 0) return whole;
    const path = [...parent, field];
    held.set(slot(choice, path), { choice, path, text: whole.slice(whole.length - keep) });
    return whole.slice(0, whole.length - keep);
  };

  /** Holds back a choice's delta's text fields; on its finish chunk, sends everything still held for the choice. */
  const holdDelta = (index: number, delta: JsonObject, finish: boolean): void => {
    choice = index;
    finishing = finish;
    holdTexts(delta, [], holdText);
    if (finishing)
      for (const [key, h] of held)
        if (h.choice === choice) {
          held.delete(key);
          putText(delta, h.path, h.text);
        }
  };

  /**
   * A chunk with every secret scrubbed (a copy when one was found) and its text held back in place: a stream's
   * chunks are its own (single flight shares only whole answers), and copying them would cost more than the rest.
   */
  const scrubChunk = (raw: ChatCompletionChunk): ChatCompletionChunk => {
    const chunk = scrubJson(raw, secrets);
    for (const at of chunk.choices) holdDelta(at.index, at.delta as JsonObject, Boolean(at.finish_reason));
    last = chunk;
    return chunk;
  };

  const scrubEvent = (event: GatewayEvent): GatewayEvent => {
    if (event.type !== 'chunks') return scrubJson(event, secrets);
    let chunks: ChatCompletionChunk[] | undefined;
    for (let i = 0; i < event.chunks.length; i++) {
      const chunk = event.chunks[i] as ChatCompletionChunk;
      const clean = scrubChunk(chunk);
      if (clean === chunk) continue;
      chunks ??= [...event.chunks];
      chunks[i] = clean;
    }
    return chunks ? { type: 'chunks', chunks } : event;
  };

  /** What is still held back when the source ends, as one more chunk; undefined when nothing is. */
  const tail = (): GatewayEvent | undefined => {
    if (held.size === 0 || !last) return undefined;
    const deltas = new Map<number, JsonObject>();
    for (const h of held.values()) {
      const delta = deltas.get(h.choice) ?? {};
      putText(delta, h.path, h.text);
      deltas.set(h.choice, delta);
    }
    held.clear();
    const choices = [...deltas].map(([index, delta]) => ({ index, delta, finish_reason: null, logprobs: null }));
    return { type: 'chunks', chunks: [{ ...last, choices, usage: null } as ChatCompletionChunk] };
  };

  const step = (result: IteratorResult<GatewayEvent>): IteratorResult<GatewayEvent> => {
    if (!result.done) return { done: false, value: scrubEvent(result.value) };
    ended = true;
    const rest = tail();
    return rest ? { done: false, value: rest } : ITERATION_DONE;
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => (ended ? Promise.resolve(ITERATION_DONE) : iterator.next().then(step)),
    return: () => {
      ended = true;
      return Promise.resolve(iterator.return?.()).then(() => ITERATION_DONE);
    },
  };
}

/** What to make of one text field: the path to the object that holds it, its name, its text. */
type TextMap = (parent: readonly Step[], field: string, text: string) => string;

/**
 * Puts back what `hold` makes of each text field of a delta (a string not named like an identifier), through
 * nested objects and lists of indexed elements (tool calls).
 */
function holdTexts(object: JsonObject, path: readonly Step[], hold: TextMap): void {
  for (const key in object) {
    const value = object[key];
    if (typeof value === 'string') {
      if (IDENTIFIERS.has(key)) continue;
      const text = hold(path, key, value);
      if (text !== value) object[key] = text;
    } else if (Array.isArray(value)) {
      for (const element of value)
        if (isJsonObject(element) && typeof element['index'] === 'number')
          holdTexts(element, [...path, key, { index: element['index'] }], hold);
    } else if (isJsonObject(value)) holdTexts(value, [...path, key], hold);
  }
}

/** Puts `text` before the string at `path` in `object`, creating what is missing on the way (a tool call by its index). */
function putText(object: JsonObject, path: readonly Step[], text: string): void {
  const [key, next, ...inner] = path;
  if (typeof key !== 'string') return;
  const current = object[key];
  if (next === undefined) {
    object[key] = text + (typeof current === 'string' ? current : '');
  } else if (typeof next === 'string') {
    const child = isJsonObject(current) ? current : {};
    object[key] = child;
    putText(child, path.slice(1), text);
  } else {
    const list = Array.isArray(current) ? current : [];
    object[key] = list;
    let element = list.find((e) => isJsonObject(e) && e['index'] === next.index) as JsonObject | undefined;
    if (!element) {
      element = { index: next.index };
      list.push(element);
    }
    putText(element, inner, text);
  }
}
