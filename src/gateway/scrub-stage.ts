import { ITERATION_DONE } from '../core/iteration.ts';
import { isJsonObject, type ChatCompletionChunk, type JsonObject } from '../core/types.ts';
import { SecretPrefixes, scrubError, scrubJson, scrubText } from '../core/scrub.ts';
import type { GatewayEvent, Outcome, Stage } from './types.ts';

/**
 * Nothing an upstream sends reaches the client with a configured secret in it, whoever put it there: a model
 * repeating what it was shown, or an upstream echoing the provider key the gateway authorised with (a custom
 * provider, a compromised endpoint). Every string of every event is scrubbed, whatever field carries it, and
 * so is the outcome (the stream's end frames read it). Stream text a client joins across chunks is also held
 * back where a chunk's tail could be the start of a secret (rare: usually nothing is held); the held tail goes
 * out with the next chunk of the same field, the choice's finish chunk, or one last chunk.
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

const slot = (choice: number, path: readonly Step[]) => JSON.stringify([choice, path]);

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

  /** One text field of a delta, joined to what was held for it, with the tail that could begin a secret held back. */
  const holdText = (choice: number, path: readonly Step[], text: string, finishing: boolean): string => {
    let whole = text;
    if (held.size > 0) {
      const key = slot(choice, path);
      const before = held.get(key);
      if (before) {
        held.delete(key);
        whole = scrubText(before.text + text, secrets);
      }
    }
    const keep = finishing ? 0 : prefixes.tailLength(whole);
    if (keep === 0) return whole;
    held.set(slot(choice, path), { choice, path, text: whole.slice(whole.length - keep) });
    return whole.slice(0, whole.length - keep);
  };

  /** A choice's delta with its text fields held back; on the finish chunk, with everything still held for the choice. */
  const holdDelta = (choice: number, delta: JsonObject, finishing: boolean): JsonObject => {
    let out = mapTexts(delta, [], (path, text) => holdText(choice, path, text, finishing));
    if (finishing)
      for (const [key, h] of held)
        if (h.choice === choice) {
          held.delete(key);
          out = withText(out, h.path, h.text);
        }
    return out;
  };

  const scrubChunk = (raw: ChatCompletionChunk): ChatCompletionChunk => {
    const chunk = scrubJson(raw, secrets);
    let choices: ChatCompletionChunk.Choice[] | undefined;
    chunk.choices.forEach((choice, i) => {
      const delta = holdDelta(choice.index, choice.delta as JsonObject, Boolean(choice.finish_reason));
      if (delta !== choice.delta) {
        choices ??= [...chunk.choices];
        choices[i] = { ...choice, delta };
      }
    });
    last = choices ? { ...chunk, choices } : chunk;
    return last;
  };

  const scrubEvent = (event: GatewayEvent): GatewayEvent => {
    if (event.type !== 'chunks') return scrubJson(event, secrets);
    const chunks = event.chunks.map(scrubChunk);
    return chunks.every((c, i) => c === event.chunks[i]) ? event : { type: 'chunks', chunks };
  };

  /** What is still held back when the source ends, as one more chunk; undefined when nothing is. */
  const tail = (): GatewayEvent | undefined => {
    if (held.size === 0 || !last) return undefined;
    const deltas = new Map<number, JsonObject>();
    for (const h of held.values()) deltas.set(h.choice, withText(deltas.get(h.choice) ?? {}, h.path, h.text));
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

/**
 * `object` with `map` applied to each text field (a string not named like an identifier), through nested objects
 * and lists of indexed elements; copy on write, so the same object comes back when nothing changed.
 */
function mapTexts(object: JsonObject, path: readonly Step[], map: (path: readonly Step[], text: string) => string): JsonObject {
  let out: JsonObject | undefined;
  for (const key in object) {
    const value = object[key];
    let next = value;
    if (typeof value === 'string') next = IDENTIFIERS.has(key) ? value : map([...path, key], value);
    else if (Array.isArray(value)) next = mapIndexed(value, [...path, key], map);
    else if (isJsonObject(value)) next = mapTexts(value, [...path, key], map);
    if (next !== value) {
      out ??= { ...object };
      out[key] = next;
    }
  }
  return out ?? object;
}

/** The elements of a list that carry a numeric `index` (tool calls), each mapped as above. */
function mapIndexed(list: unknown[], path: readonly Step[], map: (path: readonly Step[], text: string) => string): unknown[] {
  let out: unknown[] | undefined;
  list.forEach((element, i) => {
    if (!isJsonObject(element) || typeof element['index'] !== 'number') return;
    const next = mapTexts(element, [...path, { index: element['index'] }], map);
    if (next !== element) {
      out ??= [...list];
      out[i] = next;
    }
  });
  return out ?? list;
}

/** A copy of `object` with `text` put before the string at `path`, creating what is missing on the way (a tool call by its index). */
function withText(object: JsonObject, path: readonly Step[], text: string): JsonObject {
  const [key, ...rest] = path;
  if (typeof key !== 'string') return object;
  const current = object[key];
  if (rest.length === 0) return { ...object, [key]: text + (typeof current === 'string' ? current : '') };
  const [element, ...inner] = rest;
  if (typeof element === 'string') return { ...object, [key]: withText(isJsonObject(current) ? current : {}, rest, text) };
  if (element === undefined) return object;
  const list = Array.isArray(current) ? [...current] : [];
  const at = list.findIndex((e) => isJsonObject(e) && e['index'] === element.index);
  const found: unknown = list[at];
  const updated = withText(isJsonObject(found) ? found : { index: element.index }, inner, text);
  if (at === -1) list.push(updated);
  else list[at] = updated;
  return { ...object, [key]: list };
}
