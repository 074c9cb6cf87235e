import { Validator, type Schema, type SchemaDraft } from '@cfworker/json-schema';
import { invalidField } from '../errors.ts';
import { assertSafeSchemaRegexes } from './regex-safety.ts';
import { isJsonObject, type JsonObject } from '../core/types.ts';

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

/** A caller's schema ready for extraction: the object schema sent to the model and a validator for answers. */
export interface ExtractionSchema {
  /** What the model is asked for; a non-object root is wrapped as `{ value: … }`, since providers want an object. */
  readonly modelSchema: JsonObject;
  readonly wrapped: boolean;
  /** Problems with an answer, as `location: reason` lines; empty when it matches. */
  validate(value: unknown): string[];
}

function draftOf(schema: JsonObject): SchemaDraft {
  const declared = typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  if (declared.includes('draft-04')) return '4';
  if (declared.includes('draft-07') || declared.includes('draft-06')) return '7';
  if (declared.includes('2019-09')) return '2019-09';
  return '2020-12';
}

/** Checks a caller's schema (400 naming what is wrong) and prepares it; no model is called before this passes. */
export function prepareSchema(schema: unknown): ExtractionSchema {
  if (!isJsonObject(schema)) throw invalidField('schema', '"schema" must be a JSON Schema object.', 'invalid_schema');
  // The validator runs the caller's regexes on model output: a catastrophic one is refused before any model call.
  assertSafeSchemaRegexes(schema);
  const problems = schemaProblems(schema);
  if (problems.length > 0)
    throw invalidField('schema', `"schema" is not a valid JSON Schema: ${problems.slice(0, 5).join('; ')}.`, 'invalid_schema');
  const validator = new Validator(schema as Schema, draftOf(schema), false);
  const wrapped = schema['type'] !== 'object';
  const { $schema: _ignored, ...body } = schema;
  const modelSchema: JsonObject = wrapped
    ? { type: 'object', properties: { value: body }, required: ['value'], additionalProperties: false }
    : body;
  return {
    modelSchema,
    wrapped,
    validate(value) {
      const result = validator.validate(value);
      if (result.valid) return [];
      const lines = result.errors.map((e) => `${e.instanceLocation || '#'}: ${e.error}`);
      return [...new Set(lines)].slice(0, 10);
    },
  };
}
