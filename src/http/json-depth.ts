import { GatewayError } from '../errors.ts';

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** How deep a request body may nest arrays and objects; deeper bodies overflow recursive serialisers (the SDK's among them). */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses JSON text that nests arrays and objects deeper than `maxDepth`, with a 400 `too_deep`, in one
 * linear pass over the text: it runs before `JSON.parse` or anything else recurses over the value.
 * Brackets inside strings (escaped quotes included) do not count. Malformed text is left to `JSON.parse`.
 * @example assertDepthWithin('{"a":[1,[2]]}') // depth 3: fine
 */
export function assertDepthWithin(text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i === -1) return;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth)
        throw new GatewayError(400, `Request body nests arrays and objects more than ${maxDepth} levels deep.`, { code: 'too_deep' });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
}

/** Where the string opened at `open` ends (a quote after an even run of backslashes), or -1 if it never does. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
