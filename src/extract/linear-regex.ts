import { type Assertion, type Atom, type Item, parseRegex, UnsupportedRegex } from './regex-shape.ts';

/** Instructions a pattern may compile to (counted repeats such as `{2,50}` are written out): a code point of text costs at most twice this. */
const MAX_PROGRAM = 1000;

/** Thrown when matching would take more steps than the caller allowed. */
export class RegexWorkExceeded extends Error {}

type Op =
  | { readonly op: 'char'; readonly cp: number; readonly next: number }
  | { readonly op: 'set'; readonly has: (cp: number) => boolean; readonly next: number }
  | { readonly op: 'assert'; readonly which: Assertion['which']; readonly next: number }
  | { op: 'split'; a: number; b: number }
  | { readonly op: 'match' };

const NativeRegExp = RegExp;

/** Membership in a set (`[a-z]`, `.`, `\p{L}`…) decided by the engine itself on one code point, remembered per code point. */
function setTester(source: string): (cp: number) => boolean {
  const one = new NativeRegExp(`^(?:${source})$`, 'u');
  const seen = new Map<number, boolean>();
  return (cp) => {
    const known = seen.get(cp);
    if (known !== undefined) return known;
    const has = one.test(String.fromCodePoint(cp));
    seen.set(cp, has);
    return has;
  };
}

/** A word character for `\b` in `u` mode without `i`: `[A-Za-z0-9_]`. */
const isWord = (cp: number | undefined) =>
  cp !== undefined && ((cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95);

/**
 * A caller's pattern compiled for matching in time linear in the text: a Thompson automaton simulated
 * on all its states at once (no backtracking), at most `size` steps per code point of the text. It answers
 * `test` like `new RegExp(source, 'u').test`; backreferences and lookarounds are refused (UnsupportedRegex).
 * @example new LinearRegex('^(\\w|\\d)*$').test('1'.repeat(10_000) + '!') // false, after ~4 × 10,001 steps
 */
export class LinearRegex {
  readonly #program: Op[] = [];
  readonly #start: number;
  /** Steps taken by `test` so far (one per state per position): the work, for tests and budgets. */
  steps = 0;

  constructor(source: string) {
    const match = this.#emit({ op: 'match' });
    this.#start = this.#alternatives(parseRegex(source), match);
  }

  /** Instructions in the program: the most steps one code point of text can cost. */
  get size(): number {
    return this.#program.length;
  }

  /** Whether the pattern matches anywhere in `text`; throws RegexWorkExceeded once `steps` would pass `maxSteps`. */
  test(text: string, maxSteps = Number.POSITIVE_INFINITY): boolean {
    const cps = Array.from(text, (c) => c.codePointAt(0) ?? 0);
    const marks = new Int32Array(this.#program.length).fill(-1);
    let current: number[] = [];
    for (let pos = 0; pos <= cps.length; pos++) {
      const next: number[] = [];
      // Unanchored search: a match may start at any position.
      if (this.#follow(this.#start, pos, cps, marks, current)) return true;
      if (pos === cps.length) return false;
      if (this.steps > maxSteps) throw new RegexWorkExceeded(`more than ${maxSteps} steps`);
      const cp = cps[pos] ?? 0;
      for (const pc of current) {
        this.steps++;
        const op = this.#program[pc];
        if ((op?.op === 'char' && op.cp === cp) || (op?.op === 'set' && op.has(cp))) {
          if (this.#follow(op.next, pos + 1, cps, marks, next)) return true;
        }
      }
      current = next;
    }
    return false;
  }

  /** Adds the states reachable from `pc` without consuming text to `into`; true when one of them is the match. */
  #follow(from: number, pos: number, cps: readonly number[], marks: Int32Array, into: number[]): boolean {
    const stack = [from];
    for (let pc = stack.pop(); pc !== undefined; pc = stack.pop()) {
      if (marks[pc] === pos) continue;
      marks[pc] = pos;
      this.steps++;
      const op = this.#program[pc];
      if (!op) continue;
      if (op.op === 'match') return true;
      if (op.op === 'split') stack.push(op.b, op.a);
      else if (op.op === 'assert') {
        if (holds(op.which, pos, cps)) stack.push(op.next);
      } else into.push(pc);
    }
    return false;
  }

  #emit(op: Op): number {
    if (this.#program.length >= MAX_PROGRAM)
      throw new UnsupportedRegex(`more than ${MAX_PROGRAM} states once its counted repeats are written out`);
    return this.#program.push(op) - 1;
  }

  #split(a: number, b: number): number {
    return this.#emit({ op: 'split', a, b });
  }

  #alternatives(branches: readonly Item[][], next: number): number {
    const starts = branches.map((items) => items.reduceRight((after, item) => this.#item(item, after), next));
    return starts.reduceRight((rest, start) => this.#split(start, rest));
  }

  #item({ atom, min, max }: Item, next: number): number {
    let at = next;
    if (max === Infinity) {
      const loop = this.#split(-1, next);
      const op = this.#program[loop] as Extract<Op, { op: 'split' }>;
      op.a = this.#atom(atom, loop);
      at = loop;
    } else for (let k = min; k < max; k++) at = this.#split(this.#atom(atom, at), next);
    for (let k = 0; k < min; k++) at = this.#atom(atom, at);
    return at;
  }

  #atom(atom: Atom, next: number): number {
    if (atom.kind === 'char') return this.#emit({ op: 'char', cp: atom.cp, next });
    if (atom.kind === 'set') return this.#emit({ op: 'set', has: setTester(atom.source), next });
    if (atom.kind === 'assertion') return this.#emit({ op: 'assert', which: atom.which, next });
    return this.#alternatives(atom.branches, next);
  }
}

function holds(which: Assertion['which'], pos: number, cps: readonly number[]): boolean {
  if (which === '^') return pos === 0;
  if (which === '$') return pos === cps.length;
  const boundary = isWord(cps[pos - 1]) !== isWord(cps[pos]);
  return which === 'b' ? boundary : !boundary;
}

/** Compiled patterns, kept per isolate: the validator builds a `RegExp` for every string it checks. */
const compiled = new Map<string, LinearRegex>();
const KEPT = 256;

function linear(source: string): LinearRegex {
  let regex = compiled.get(source);
  if (!regex) {
    regex = new LinearRegex(source);
    compiled.set(source, regex);
    const oldest = compiled.keys().next();
    if (compiled.size > KEPT && !oldest.done) compiled.delete(oldest.value);
  }
  return regex;
}

/** Steps all patterns may take in one `withLinearRegExp` run, and those taken so far. */
const run = { budget: 0, spent: 0 };

/** `RegExp` as the validator sees it: compiled by the engine (so the same syntax errors), matched by LinearRegex. */
class ValidatorRegExp {
  readonly #source: string;
  constructor(source: string, flags?: string) {
    new NativeRegExp(source, flags);
    this.#source = source;
  }
  test(text: string): boolean {
    const regex = linear(this.#source);
    const before = regex.steps;
    try {
      return regex.test(text, before + run.budget - run.spent);
    } finally {
      run.spent += regex.steps - before;
    }
  }
}

/**
 * Runs `validate` with the global `RegExp`, which @cfworker/json-schema compiles `pattern` and
 * `patternProperties` with (`new RegExp(p, 'u').test(s)`), matching in linear time. It offers no hook of
 * its own; `validate` is synchronous, so nothing else runs while the global is replaced. All the
 * matching together takes at most `maxSteps` steps, or throws RegexWorkExceeded.
 */
export function withLinearRegExp<T>(maxSteps: number, validate: () => T): T {
  run.budget = maxSteps;
  run.spent = 0;
  globalThis.RegExp = ValidatorRegExp as unknown as RegExpConstructor;
  try {
    return validate();
  } finally {
    globalThis.RegExp = NativeRegExp;
  }
}
