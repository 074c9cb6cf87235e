/**
 * The structure of a JavaScript regular expression (`u` flag): sequences of quantified atoms, where an
 * atom is one character, a set of characters (a class, `.`, `\d`, `\p{…}`, kept as source), a group of
 * alternatives, or a zero-width assertion. Enough to judge backtracking (regex-safety.ts) and to match in
 * linear time (linear-regex.ts). Parses only sources that already compiled with the `u` flag, so it can
 * trust the syntax.
 */

/** One character position: a known code point, or a set (its source, e.g. `[a-z]`, `.`, `\p{L}`) whose members are not worked out. */
export type CharAtom = { readonly kind: 'char'; readonly cp: number } | { readonly kind: 'set'; readonly source: string };
/** A zero-width assertion: `^`, `$`, `\b` or `\B`. */
export type Assertion = { readonly kind: 'assertion'; readonly which: '^' | '$' | 'b' | 'B' };
export type Atom = CharAtom | { readonly kind: 'group'; readonly branches: readonly Item[][] } | Assertion;
export interface Item {
  readonly atom: Atom;
  readonly min: number;
  readonly max: number;
}

/** A construct the subset leaves out, with the reason it is refused. */
export class UnsupportedRegex extends Error {}

const codePoint = (c: string | undefined) => c?.codePointAt(0) ?? 0;

const SET_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

/**
 * Parses a `u`-mode source into its alternatives.
 * @example parseRegex('^(a|b)+$') // [[^, (group [[a],[b]]){1,∞}, $]]
 */
export function parseRegex(source: string): Item[][] {
  const chars = Array.from(source);
  let i = 0;

  const alternatives = (): Item[][] => {
    const branches = [sequence()];
    while (chars[i] === '|') {
      i++;
      branches.push(sequence());
    }
    return branches;
  };

  const sequence = (): Item[] => {
    const items: Item[] = [];
    while (i < chars.length && chars[i] !== '|' && chars[i] !== ')') {
      const atom = term();
      items.push(atom.kind === 'assertion' ? { atom, min: 1, max: 1 } : { atom, ...quantifier() });
    }
    return items;
  };

  const set = (start: number): CharAtom => ({ kind: 'set', source: chars.slice(start, i).join('') });

  const term = (): Atom => {
    const start = i;
    const c = chars[i++];
    if (c === '^' || c === '$') return { kind: 'assertion', which: c };
    if (c === '.') return set(start);
    if (c === '[') {
      if (chars[i] === '^') i++;
      while (chars[i] !== ']') i += chars[i] === '\\' ? 2 : 1;
      i++;
      return set(start);
    }
    if (c === '(') {
      const rest = chars.slice(i, i + 3).join('');
      if (rest.startsWith('?=') || rest.startsWith('?!') || rest.startsWith('?<=') || rest.startsWith('?<!'))
        throw new UnsupportedRegex('a lookahead or lookbehind');
      if (rest.startsWith('?:')) i += 2;
      else if (rest.startsWith('?<')) i = chars.indexOf('>', i) + 1;
      else if (rest.startsWith('?')) throw new UnsupportedRegex('a group with modifiers');
      const branches = alternatives();
      i++; // ')'
      return { kind: 'group', branches };
    }
    if (c === '\\') return escaped(start);
    return { kind: 'char', cp: codePoint(c) };
  };

  const escaped = (start: number): Atom => {
    const c = chars[i++] ?? '';
    if (c === 'b' || c === 'B') return { kind: 'assertion', which: c };
    if (/[1-9]/.test(c) || c === 'k') throw new UnsupportedRegex('a backreference');
    if (SET_ESCAPES.has(c)) return set(start);
    if (c === 'p' || c === 'P') {
      i = chars.indexOf('}', i) + 1;
      return set(start);
    }
    if (c === 'u' && chars[i] === '{') {
      const end = chars.indexOf('}', i);
      const cp = Number.parseInt(chars.slice(i + 1, end).join(''), 16);
      i = end + 1;
      return { kind: 'char', cp };
    }
    if (c === 'u' || c === 'x') {
      const width = c === 'u' ? 4 : 2;
      const cp = Number.parseInt(chars.slice(i, i + width).join(''), 16);
      i += width;
      // `\uD83D\uDE00` is one code point in `u` mode.
      const low = chars.slice(i, i + 6).join('');
      if (cp >= 0xd800 && cp <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(low)) {
        i += 6;
        return { kind: 'char', cp: 0x10000 + ((cp - 0xd800) << 10) + (Number.parseInt(low.slice(2), 16) - 0xdc00) };
      }
      return { kind: 'char', cp };
    }
    if (c === 'c') return { kind: 'char', cp: codePoint(chars[i++]) % 32 };
    if (c === '0') return { kind: 'char', cp: 0 };
    return { kind: 'char', cp: CONTROL_ESCAPES[c] ?? codePoint(c) };
  };

  const quantifier = (): { min: number; max: number } => {
    const c = chars[i];
    let bounds = { min: 1, max: 1 };
    if (c === '*') bounds = { min: 0, max: Infinity };
    else if (c === '+') bounds = { min: 1, max: Infinity };
    else if (c === '?') bounds = { min: 0, max: 1 };
    else if (c === '{') {
      const end = chars.indexOf('}', i);
      const [low = '', high] = chars
        .slice(i + 1, end)
        .join('')
        .split(',');
      bounds = { min: Number(low), max: high === undefined ? Number(low) : high === '' ? Infinity : Number(high) };
      i = end;
    } else return bounds;
    i++;
    if (chars[i] === '?') i++; // lazy: the same work for a yes/no match
    return bounds;
  };

  return alternatives();
}
