import { GatewayError } from '../errors.ts';
import { LinearRegex } from './linear-regex.ts';
import { type CharAtom, type Item, parseRegex, UnsupportedRegex } from './regex-shape.ts';

/** Keywords whose values are data, not schemas: a `pattern` inside them is never run as a regex. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/** How deep the walk goes; bodies are already capped at this depth (http/json-depth.ts), so it only guards direct callers. */
const MAX_SCHEMA_DEPTH = 64;

/** A JSON pointer segment: `~` and `/` escaped as RFC 6901 says. */
const segment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const invalidSchema = (message: string) => new GatewayError(400, message, { param: 'schema', code: 'invalid_schema' });

/** Throws when a caller's regex does not compile as the validator compiles it, or could backtrack more than linearly. */
function checkRegex(source: unknown, pointer: string): void {
  if (typeof source !== 'string') throw invalidSchema(`"schema" at ${pointer} must be a regular expression string.`);
  try {
    // The answer validator (@cfworker/json-schema) compiles patterns with the `u` flag.
    new RegExp(source, 'u');
  } catch (error) {
    throw invalidSchema(
      `"schema" at ${pointer} is not a valid regular expression (${error instanceof Error ? error.message : 'syntax error'}).`,
    );
  }
  try {
    // What the validator will match with (linear-regex.ts): built now, so a pattern it cannot run is refused now.
    new LinearRegex(source);
  } catch (error) {
    if (!(error instanceof UnsupportedRegex)) throw error;
    throw invalidSchema(`"schema" at ${pointer} has a regular expression with ${error.message}, which patterns may not use.`);
  }
  const risk = backtrackingRisk(source);
  if (risk) {
    throw invalidSchema(
      `"schema" at ${pointer} has a regular expression that could take exponential time on a model's answer: ${risk}, in ${JSON.stringify(source.slice(0, 100))}. Patterns may not use backreferences or lookarounds, nor repeat a group that holds a quantifier, can match nothing, or has alternatives that can start with the same character.`,
    );
  }
}

/**
 * Why a pattern could make the backtracking engine try exponentially many ways to match, or undefined
 * when it cannot: the checks are on structure, so a set (a class, `.`, `\d`) counts as overlapping anything.
 * @example backtrackingRisk('^(\\w|\\d)*$') // 'alternatives that can start with the same character inside a repeated group'
 */
export function backtrackingRisk(source: string): string | undefined {
  try {
    return riskIn(parseRegex(source), false);
  } catch (error) {
    if (error instanceof UnsupportedRegex) return error.message;
    throw error;
  }
}

function riskIn(branches: readonly Item[][], inLoop: boolean): string | undefined {
  if (inLoop && branches.length > 1) {
    if (branches.some(nullable)) return 'an alternative that can match nothing inside a repeated group';
    const starts = branches.map(firsts);
    for (const [i, a] of starts.entries())
      for (const b of starts.slice(i + 1))
        if (a.some((x) => b.some((y) => overlap(x, y))))
          return 'alternatives that can start with the same character inside a repeated group';
  }
  for (const { atom, max } of branches.flat()) {
    if (atom.kind !== 'group') continue;
    const loop = max > 1;
    if (loop && atom.branches.some(hasVariableQuantifier)) return 'a quantifier inside a repeated group';
    if (loop && atom.branches.some(nullable)) return 'a repeated group that can match nothing';
    const risk = riskIn(atom.branches, inLoop || loop);
    if (risk) return risk;
  }
  return undefined;
}

const nullable = (items: readonly Item[]): boolean =>
  items.every(({ atom, min }) => atom.kind === 'assertion' || min === 0 || (atom.kind === 'group' && atom.branches.some(nullable)));

const hasVariableQuantifier = (items: readonly Item[]): boolean =>
  items.some(({ atom, min, max }) => min !== max || (atom.kind === 'group' && atom.branches.some(hasVariableQuantifier)));

/** The character positions a sequence can start with. */
function firsts(items: readonly Item[]): CharAtom[] {
  const out: CharAtom[] = [];
  for (const item of items) {
    const { atom } = item;
    if (atom.kind === 'assertion') continue;
    if (atom.kind === 'group') out.push(...atom.branches.flatMap(firsts));
    else out.push(atom);
    if (!nullable([item])) break;
  }
  return out;
}

/** Two known characters overlap when equal; a set is assumed to overlap anything. */
const overlap = (a: CharAtom, b: CharAtom) => !(a.kind === 'char' && b.kind === 'char' && a.cp !== b.cp);

/**
 * Formats whose check in @cfworker/json-schema backtracks exponentially on a crafted string: `url` runs
 * `(?:[a-z…0-9]+-?)*` (a 40-character host takes minutes). `uri` checks the same strings safely.
 */
const UNSAFE_FORMATS: Record<string, string> = { url: 'use "format": "uri" instead' };

/**
 * Refuses a caller's JSON Schema whose `pattern` values or `patternProperties` keys are unsafe to run on
 * model output (they could backtrack exponentially: see `backtrackingRisk`) or do not compile, or that
 * asks for a format whose check is unsafe: a 400 `invalid_schema` naming the JSON pointer. Walks every schema position, skipping only data keywords (`const`, `enum`, `default`,
 * `examples`), so an unknown keyword cannot hide a pattern. Run it before any model call.
 * @example assertSafeSchemaRegexes({ type: 'string', pattern: '(a+)+$' }) // throws: #/pattern
 */
export function assertSafeSchemaRegexes(schema: unknown): void {
  walk(schema, '#', 0);
}

/** Keywords whose values map names (property names, definition names) to schemas: their keys are not keywords. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies']);

/** Walks a node in schema position: its keys are keywords. */
function walk(node: unknown, pointer: string, depth: number): void {
  if (typeof node !== 'object' || node === null) return;
  if (depth > MAX_SCHEMA_DEPTH) throw invalidSchema(`"schema" nests more than ${MAX_SCHEMA_DEPTH} levels deep at ${pointer}.`);
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(item, `${pointer}/${i}`, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const at = `${pointer}/${segment(key)}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern') checkRegex(value, at);
    else if (key === 'format' && typeof value === 'string' && Object.hasOwn(UNSAFE_FORMATS, value))
      throw invalidSchema(
        `"schema" at ${at} asks for "format": "${value}", whose check can take exponential time: ${UNSAFE_FORMATS[value]}.`,
      );
    else if (NAME_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [name, sub] of Object.entries(value)) {
        if (key === 'patternProperties') checkRegex(name, `${at}/${segment(name)}`);
        walk(sub, `${at}/${segment(name)}`, depth + 2);
      }
    } else walk(value, at, depth + 1);
  }
}
