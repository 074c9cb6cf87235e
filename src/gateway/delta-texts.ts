// The text fields of a chat-completion delta as the secret scrubber sees them: each one's place (a path through
// nested objects and tool calls by their index), a walk over them, and putting held-back text back in its place.
import { isJsonObject, type JsonObject } from '../core/types.ts';

/** Delta fields a client replaces rather than joins across chunks: never text to hold back. */
const IDENTIFIERS: ReadonlySet<string> = new Set(['role', 'id', 'type', 'name']);

/** The key of a suspect: its choice and path, e.g. `0/content`, `0/tool_calls/#1/function/arguments`. */
export const slot = (choice: number, parent: readonly Step[], field: string) =>
  `${choice}/${parent.map((s) => (typeof s === 'string' ? s : `#${s.index}`)).join('/')}/${field}`;

/** A step into a delta: a field name, or the element of a list that carries this `index` (a tool call). */
export type Step = string | { readonly index: number };

/** What to do with one text field: the object that holds it, the path to that object, its name, its text. */
export type TextMap = (owner: JsonObject, parent: readonly Step[], field: string, text: string) => void;

/** Calls `hold` on each text field of a delta (a string not named like an identifier), through nested objects and lists of indexed elements (tool calls). */
export function holdTexts(object: JsonObject, path: readonly Step[], hold: TextMap): void {
  for (const key in object) {
    const value = object[key];
    if (typeof value === 'string') {
      if (!IDENTIFIERS.has(key)) hold(object, path, key, value);
    } else if (Array.isArray(value)) {
      for (const element of value)
        if (isJsonObject(element) && typeof element['index'] === 'number')
          holdTexts(element, [...path, key, { index: element['index'] }], hold);
    } else if (isJsonObject(value)) holdTexts(value, [...path, key], hold);
  }
}

/** Puts `text` before the string at `path` in `object`, creating what is missing on the way (a tool call by its index). */
export function putText(object: JsonObject, path: readonly Step[], text: string): void {
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
