import { dereference, validate, type Schema, type SchemaDraft } from '@cfworker/json-schema';
import { GatewayError, invalidField } from '../errors.ts';
import { assertSafeSchemaRegexes } from './regex-safety.ts';
import { isJsonObject, type JsonObject } from '../core/types.ts';
import { EXTRACT_LIMITS } from './limits.ts';
import { assertSchemaCost } from './schema-cost.ts';
import { RegexWorkExceeded, withLinearRegExp } from './linear-regex.ts';
import { Verdicts } from './verdicts.ts';

const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const SUBSCHEMA = [
  'items',
  'additionalProperties',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'additionalItems',
];
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', '$defs', 'definitions', 'patternProperties'];

/** Finds what makes a JSON Schema unusable, as `path: reason` lines (empty when it is fine). */
export function schemaProblems(schema: unknown, root: unknown = schema, path = '#'): string[] {
  if (typeof schema === 'boolean') return [];
  if (!isJsonObject(schema)) return [`${path}: a schema must be an object or a boolean`];
  const problems: string[] = [];
  const type = schema['type'];
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const t of types) if (typeof t !== 'string' || !TYPES.has(t)) problems.push(`${path}/type: unknown type ${JSON.stringify(t)}`);
  if ('required' in schema && (!Array.isArray(schema['required']) || !schema['required'].every((r) => typeof r === 'string')))
    problems.push(`${path}/required: must be an array of strings`);
  if ('enum' in schema && !Array.isArray(schema['enum'])) problems.push(`${path}/enum: must be an array`);
  if ('$ref' in schema) {
    const ref = schema['$ref'];
    if (typeof ref !== 'string' || (ref.startsWith('#') && resolvePointer(root, ref) === undefined))
      problems.push(`${path}/$ref: ${JSON.stringify(ref)} does not resolve`);
  }
  for (const key of SUBSCHEMA) {
    const sub = schema[key];
    if (sub === undefined) continue;
    if (key === 'items' && Array.isArray(sub))
      for (const [i, s] of sub.entries()) problems.push(...schemaProblems(s, root, `${path}/items/${i}`));
    else problems.push(...schemaProblems(sub, root, `${path}/${key}`));
  }
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) problems.push(`${path}/${key}: must be a non-empty array of schemas`);
    else for (const [i, s] of list.entries()) problems.push(...schemaProblems(s, root, `${path}/${key}/${i}`));
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (map === undefined) continue;
    if (!isJsonObject(map)) problems.push(`${path}/${key}: must be an object of schemas`);
    else for (const [name, s] of Object.entries(map)) problems.push(...schemaProblems(s, root, `${path}/${key}/${name}`));
  }
  return problems;
}

function resolvePointer(root: unknown, ref: string): unknown {
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isJsonObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Whether OpenAI's strict mode accepts the schema: every object closed and every property required. */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (!isJsonObject(schema)) return true;
  if (schema['type'] === 'object' || 'properties' in schema) {
    const props = isJsonObject(schema['properties']) ? Object.keys(schema['properties']) : [];
    const required = Array.isArray(schema['required']) ? schema['required'] : [];
    if (schema['additionalProperties'] !== false || !props.every((p) => required.includes(p))) return false;
  }
  return Object.values(schema).every(isStrictCompatible);
}

/** What an answer's JSON text came to: not JSON at all, or a value with the schema's problems with it. */
export type Verdict =
  | { readonly parsed: false }
  | {
      readonly parsed: true;
      /** The answer's data (unwrapped from `{ value }` when the schema was wrapped). */
      readonly data: unknown;
      /** Problems with it, as `location: reason` lines; empty when it matches. */
      readonly problems: readonly string[];
      /** Whether the validator ran on it now (false: the verdict was found earlier for this schema and text). */
      readonly validated: boolean;
    };

/** A caller's schema ready for extraction: the object schema sent to the model and a check for answers. */
export interface ExtractionSchema {
  /** What the model is asked for; a non-object root is wrapped as `{ value: … }`, since providers want an object. */
  readonly modelSchema: JsonObject;
  /** Parses an answer's JSON text and validates it, at a cost linear in the answer (see `EXTRACT_LIMITS`). */
  check(answer: string): Promise<Verdict>;
}

function draftOf(schema: JsonObject): SchemaDraft {
  const declared = typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  if (declared.includes('draft-04')) return '4';
  if (declared.includes('draft-07') || declared.includes('draft-06')) return '7';
  if (declared.includes('2019-09')) return '2019-09';
  return '2020-12';
}

const verdicts = new Verdicts();

/** How many arrays, objects and scalars a parsed answer holds, or undefined when it nests deeper than the cap. */
function nodesWithinDepth(value: unknown): number | undefined {
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top;
    nodes++;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > EXTRACT_LIMITS.answerDepth) return undefined;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return nodes;
}

/** Checks a caller's schema (400 naming what is wrong) and prepares it; no model is called before this passes. */
export function prepareSchema(schema: unknown): ExtractionSchema {
  if (!isJsonObject(schema)) throw invalidField('schema', '"schema" must be a JSON Schema object.', 'invalid_schema');
  const json = JSON.stringify(schema);
  const cost = assertSchemaCost(schema, json);
  // The validator runs the caller's regexes on model output: a catastrophic one is refused before any model call.
  assertSafeSchemaRegexes(schema);
  const problems = schemaProblems(schema);
  if (problems.length > 0)
    throw invalidField('schema', `"schema" is not a valid JSON Schema: ${problems.slice(0, 5).join('; ')}.`, 'invalid_schema');
  const draft = draftOf(schema);
  const lookup = dereference(schema as Schema);
  const wrapped = schema['type'] !== 'object';
  const { $schema: _ignored, ...body } = schema;
  const modelSchema: JsonObject = wrapped
    ? { type: 'object', properties: { value: body }, required: ['value'], additionalProperties: false }
    : body;

  /**
   * Runs the validator, following at most `(refExpansions + 1) × (nodes + 1)` `$ref`s: what a schema that
   * applies each of its definitions once per part of the answer needs. A recursive `$ref` reached through
   * several branches multiplies at every level of the answer; it is stopped there (400), not run to the end.
   */
  const validateValue = (value: unknown, nodes: number): string[] => {
    const refBudget = (cost.refExpansions + 1) * (nodes + 1);
    let followed = 0;
    const counted = new Proxy(lookup, {
      get(target, key) {
        if (++followed > refBudget)
          throw invalidField(
            'schema',
            `"schema" needed more than ${refBudget} "$ref"s to validate an answer of ${nodes} values: a recursive "$ref" reached through several allOf/anyOf/oneOf branches multiplies at every level. Reach each recursive definition once per level.`,
            'invalid_schema',
          );
        return Reflect.get(target, key) as unknown;
      },
    });
    let result: ReturnType<typeof validate>;
    try {
      result = withLinearRegExp(EXTRACT_LIMITS.regexSteps, () => validate(value, schema as Schema, draft, counted, false));
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // The schema's cost on this answer, a stack overflow (RangeError) or a reference the validator cannot resolve.
      const why =
        error instanceof RegexWorkExceeded
          ? `its patterns took ${error.message} to match the answer's strings (cap on pattern work)`
          : error instanceof RangeError
            ? 'it nests too deeply (the validator ran out of stack)'
            : String(error);
      throw invalidField('schema', `"schema" could not be applied to the answer: ${why}.`, 'invalid_schema');
    }
    if (result.valid) return [];
    const lines = result.errors.map((e) => `${e.instanceLocation || '#'}: ${e.error}`);
    return [...new Set(lines)].slice(0, 10);
  };

  return {
    modelSchema,
    async check(answer) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer);
      } catch {
        return { parsed: false };
      }
      const value = wrapped && isJsonObject(parsed) ? parsed['value'] : parsed;
      if (wrapped && !(isJsonObject(parsed) && 'value' in parsed))
        return { parsed: true, data: value, problems: ['#: the answer has no "value" field'], validated: false };
      const nodes = nodesWithinDepth(value);
      if (nodes === undefined) {
        const problem = `#: the answer nests arrays and objects more than ${EXTRACT_LIMITS.answerDepth} levels deep`;
        return { parsed: true, data: value, problems: [problem], validated: false };
      }
      const { problems, fresh } = await verdicts.of(json, answer, () => validateValue(value, nodes));
      return { parsed: true, data: value, problems, validated: fresh };
    },
  };
}
