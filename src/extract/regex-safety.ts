import safeRegex from 'safe-regex2';
import { GatewayError } from '../errors.ts';

/** Keywords whose values are data, not schemas: a `pattern` inside them is never run as a regex. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/** How deep the walk goes; bodies are already capped at this depth (http/json-depth.ts), so it only guards direct callers. */
const MAX_SCHEMA_DEPTH = 64;

/** A JSON pointer segment: `~` and `/` escaped as RFC 6901 says. */
const segment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const invalidSchema = (message: string) => new GatewayError(400, message, { param: 'schema', code: 'invalid_schema' });

/** Throws when a caller's regex does not compile as the validator compiles it, or is flagged as catastrophic. */
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
  if (!safeRegex(source)) {
    throw invalidSchema(
      `"schema" at ${pointer} has a regular expression that may take exponential time on a model's answer (nested quantifiers such as (a+)+), or that the safety checker cannot analyse: ${JSON.stringify(source.slice(0, 100))}. Rewrite it without a quantifier inside a quantified group.`,
    );
  }
}

/**
 * Refuses a caller's JSON Schema whose `pattern` values or `patternProperties` keys are unsafe to run on
 * model output (ReDoS, checked with safe-regex2) or do not compile: a 400 `invalid_schema` naming the
 * JSON pointer. Walks every schema position, skipping only data keywords (`const`, `enum`, `default`,
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
    else if (NAME_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [name, sub] of Object.entries(value)) {
        if (key === 'patternProperties') checkRegex(name, `${at}/${segment(name)}`);
        walk(sub, `${at}/${segment(name)}`, depth + 2);
      }
    } else walk(value, at, depth + 1);
  }
}
