// A recursive-descent parser for arithmetic, so `calculate` never hands model text to eval or Function.
//   expr   := term (('+' | '-') term)*
//   term   := unary (('*' | '/' | '%') unary)*
//   unary  := '-' unary | '+' unary | power
//   power  := atom ('^' unary)?           right-associative, binds tighter than unary minus on its left: -2^2 = -4
//   atom   := number | constant | name '(' expr (',' expr)* ')' | '(' expr ')'

export const MAX_EXPRESSION_LENGTH = 500;
export const MAX_DEPTH = 50;

const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };

const FUNCTIONS: Readonly<Record<string, { arity: [number, number]; fn: (...xs: number[]) => number }>> = {
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  abs: { arity: [1, 1], fn: Math.abs },
  round: { arity: [1, 1], fn: Math.round },
  floor: { arity: [1, 1], fn: Math.floor },
  ceil: { arity: [1, 1], fn: Math.ceil },
  ln: { arity: [1, 1], fn: Math.log },
  log10: { arity: [1, 1], fn: Math.log10 },
  sin: { arity: [1, 1], fn: Math.sin },
  cos: { arity: [1, 1], fn: Math.cos },
  tan: { arity: [1, 1], fn: Math.tan },
  min: { arity: [1, 20], fn: Math.min },
  max: { arity: [1, 20], fn: Math.max },
};

/** Why an expression was refused: the message names the position. */
export class ArithmeticError extends Error {}

/** Evaluates an arithmetic expression: numbers, + - * / % ^, parentheses, unary minus, constants (pi, e) and a few functions. */
export function evaluate(source: string): number {
  if (source.length > MAX_EXPRESSION_LENGTH) throw new ArithmeticError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const parser = new Parser(source);
  const value = parser.expression(0);
  parser.end();
  if (!Number.isFinite(value)) throw new ArithmeticError(Number.isNaN(value) ? 'the result is not a number' : 'the result is infinite');
  return value;
}

class Parser {
  #pos = 0;
  readonly #src: string;

  constructor(src: string) {
    this.#src = src;
  }

  expression(depth: number): number {
    if (depth > MAX_DEPTH) throw new ArithmeticError(`the expression is nested deeper than ${MAX_DEPTH} levels`);
    let value = this.#term(depth);
    for (let op = this.#peek(); op === '+' || op === '-'; op = this.#peek()) {
      this.#pos++;
      const right = this.#term(depth);
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  end(): void {
    if (this.#peek() !== undefined) this.#fail(`unexpected "${this.#src[this.#pos]}"`);
  }

  #term(depth: number): number {
    let value = this.#unary(depth);
    for (let op = this.#peek(); op === '*' || op === '/' || op === '%'; op = this.#peek()) {
      this.#pos++;
      const right = this.#unary(depth);
      if ((op === '/' || op === '%') && right === 0) this.#fail('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  }

  #unary(depth: number): number {
    if (depth > MAX_DEPTH) throw new ArithmeticError(`the expression is nested deeper than ${MAX_DEPTH} levels`);
    const op = this.#peek();
    if (op === '-' || op === '+') {
      this.#pos++;
      const value = this.#unary(depth + 1);
      return op === '-' ? -value : value;
    }
    const base = this.#atom(depth);
    if (this.#peek() !== '^') return base;
    this.#pos++;
    return base ** this.#unary(depth + 1);
  }

  #atom(depth: number): number {
    const c = this.#peek();
    if (c === '(') {
      this.#pos++;
      const value = this.expression(depth + 1);
      this.#expect(')');
      return value;
    }
    if (c !== undefined && /[0-9.]/.test(c)) return this.#number();
    if (c !== undefined && /[a-z]/i.test(c)) return this.#named(depth);
    return this.#fail(c === undefined ? 'the expression ends too early' : `unexpected "${c}"`);
  }

  #number(): number {
    const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(this.#src.slice(this.#pos));
    if (!match) return this.#fail('malformed number');
    this.#pos += match[0].length;
    return Number(match[0]);
  }

  #named(depth: number): number {
    const match = /^[a-z][a-z0-9]*/i.exec(this.#src.slice(this.#pos)) as RegExpExecArray;
    const name = match[0].toLowerCase();
    const at = this.#pos;
    this.#pos += match[0].length;
    const constant = CONSTANTS[name];
    if (constant !== undefined) return constant;
    const fn = FUNCTIONS[name];
    if (!fn) {
      this.#pos = at;
      return this.#fail(`unknown name "${match[0]}" (functions: ${Object.keys(FUNCTIONS).join(', ')}; constants: pi, e)`);
    }
    this.#expect('(');
    const args = [this.expression(depth + 1)];
    while (this.#peek() === ',') {
      this.#pos++;
      args.push(this.expression(depth + 1));
    }
    this.#expect(')');
    const [lo, hi] = fn.arity;
    if (args.length < lo || args.length > hi)
      this.#fail(`${name} takes ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? '' : 's'}`);
    return fn.fn(...args);
  }

  /** The next non-space character, without consuming it. */
  #peek(): string | undefined {
    while (this.#pos < this.#src.length && /\s/.test(this.#src[this.#pos] as string)) this.#pos++;
    return this.#src[this.#pos];
  }

  #expect(c: string): void {
    if (this.#peek() !== c) this.#fail(`expected "${c}"`);
    this.#pos++;
  }

  #fail(message: string): never {
    throw new ArithmeticError(`${message} at position ${this.#pos + 1}`);
  }
}
