import { Validator, type Schema } from '@cfworker/json-schema';
import { inject } from 'vitest';
import '../../provided-context.ts';
import { mockUrl } from './gateway.ts';

export const hasSpec = inject('hasSharedOpenAI');

type Json = Record<string, unknown>;

/** OpenAPI 3.0's `nullable: true` as JSON Schema: `null` added to the type (and to an enum), or an anyOf around a $ref. */
export function fromOpenApi(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = fromOpenApi(v);
  if ((node as Json)['nullable'] !== true) return out;
  if (typeof out['$ref'] === 'string') {
    const { $ref, ...rest } = out;
    return { ...rest, anyOf: [{ $ref }, { type: 'null' }] };
  }
  if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  if (out['type'] === undefined && out['enum'] === undefined) return { anyOf: [out, { type: 'null' }] };
  return out;
}

let spec: Promise<Json> | undefined;

/** The official OpenAI spec (served by the mock from ../shared/openai), converted to JSON Schema. */
async function components(): Promise<Json> {
  spec ??= fetch(`${mockUrl}/__mock/openapi.json`).then(async (r) => fromOpenApi(await r.json()) as Json);
  return spec;
}

/** Validates a value against one of the spec's component schemas; returns the error lines (empty when valid). */
const validators = new Map<string, Validator>();
const DOC_ONLY = new Set(['example', 'examples', 'description', 'title', 'deprecated']);

/** The named schema and every schema it reaches through `$ref`, without documentation keys (examples there carry `$id`s). */
function closure(schemas: Json, name: string): Json {
  const out: Json = {};
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== 'object' || node === null) return node;
    const copy: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (DOC_ONLY.has(k) || k.startsWith('x-')) continue;
      if (k === '$ref' && typeof v === 'string') add(v.split('/').at(-1) ?? '');
      copy[k] =
        k === 'properties' && typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([p, sv]) => [p, visit(sv)]))
          : visit(v);
    }
    return copy;
  };
  const add = (ref: string) => {
    if (ref in out) return;
    out[ref] = {};
    out[ref] = visit(schemas[ref]);
  };
  add(name);
  return out;
}

export async function specErrors(schemaName: string, value: unknown): Promise<string[]> {
  const doc = await components();
  let validator = validators.get(schemaName);
  if (!validator) {
    const schemas = (doc['components'] as { schemas: Json }).schemas;
    validator = new Validator(
      { components: { schemas: closure(schemas, schemaName) }, $ref: `#/components/schemas/${schemaName}` } as Schema,
      '2020-12',
      false,
    );
    validators.set(schemaName, validator);
  }
  const result = validator.validate(value);
  return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`).slice(0, 8);
}

/** A recorded fixture's raw text, served by the mock from ../shared/openai/fixtures. */
export async function fixture(name: string): Promise<string> {
  const r = await fetch(`${mockUrl}/__mock/fixtures/${name}`);
  if (!r.ok) throw new Error(`fixture ${name} not served (${r.status})`);
  return r.text();
}
