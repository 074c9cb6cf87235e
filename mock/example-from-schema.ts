// Builds one minimal value that satisfies a JSON Schema, so structured-output
// and forced-tool answers parse and validate on the client side. Covers the
// subset that OpenAI strict mode and typical tool schemas use.
import { isObject } from './json.ts';
import type { JsonObject } from './types.ts';

// Recursive schemas (trees, linked lists) must bottom out somewhere.
const MAX_DEPTH = 12;

const STRING_FORMATS: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
};

export function exampleFromSchema(schema: unknown): unknown {
  return generate(schema, isObject(schema) ? schema : {}, 0);
}

function generate(schema: unknown, root: JsonObject, depth: number): unknown {
  if (schema === true || !isObject(schema)) return 'example';
  const s = resolveRef(schema, root);
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];

  const branches = s['anyOf'] ?? s['oneOf'];
  if (Array.isArray(branches) && branches.length > 0) {
    // Deep inside a recursive schema, prefer a branch that ends the recursion.
    const nullBranch = branches.find((b) => isObject(b) && b['type'] === 'null');
    return generate(depth > MAX_DEPTH && nullBranch !== undefined ? nullBranch : branches[0], root, depth + 1);
  }
  if (Array.isArray(s['allOf'])) return generate(mergeAllOf(s, root), root, depth + 1);

  switch (pickType(s)) {
    case 'object':
      return generateObject(s, root, depth);
    case 'array':
      return generateArray(s, root, depth);
    case 'string':
      return generateString(s);
    case 'integer':
      return clamp(1, s, true);
    case 'number':
      return clamp(1.5, s, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'example';
  }
}

function resolveRef(schema: JsonObject, root: JsonObject): JsonObject {
  let current = schema;
  // A chain of refs is legal; the guard stops a ref cycle.
  for (let hops = 0; hops < 32 && typeof current['$ref'] === 'string'; hops++) {
    const target = pointer(root, current['$ref']);
    if (!isObject(target)) return {};
    const { $ref: _ignored, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

/** Local JSON pointers only (`#/$defs/X`, `#/definitions/X`, `#/components/schemas/X`, …). */
function pointer(root: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined;
  }
  return node;
}

/** `type: [X, "null"]` (and OpenAPI 3.0 `nullable`) pick X; no type is inferred from keywords. */
function pickType(s: JsonObject): string | undefined {
  const type = s['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const first = type.find((t) => t !== 'null') ?? type[0];
    return typeof first === 'string' ? first : undefined;
  }
  if (isObject(s['properties'])) return 'object';
  if ('items' in s || 'prefixItems' in s) return 'array';
  return undefined;
}

function mergeAllOf(s: JsonObject, root: JsonObject): JsonObject {
  const { allOf, ...rest } = s;
  const parts = Array.isArray(allOf) ? allOf.filter(isObject).map((p) => resolveRef(p, root)) : [];
  const properties: JsonObject = {};
  const merged: JsonObject = { ...rest };
  for (const part of [rest, ...parts]) {
    Object.assign(merged, part);
    if (isObject(part['properties'])) Object.assign(properties, part['properties']);
  }
  delete merged['allOf'];
  if (Object.keys(properties).length > 0) merged['properties'] = properties;
  return merged;
}

function generateObject(s: JsonObject, root: JsonObject, depth: number): JsonObject {
  const out: JsonObject = {};
  const properties = s['properties'];
  if (!isObject(properties) || depth > MAX_DEPTH) return out;
  for (const [key, prop] of Object.entries(properties)) out[key] = generate(prop, root, depth + 1);
  return out;
}

function generateArray(s: JsonObject, root: JsonObject, depth: number): unknown[] {
  const prefix = Array.isArray(s['prefixItems']) ? s['prefixItems'] : [];
  if (depth > MAX_DEPTH) return [];
  const out = prefix.map((item) => generate(item, root, depth + 1));
  const minItems = typeof s['minItems'] === 'number' ? s['minItems'] : 1;
  const items = s['items'];
  while (out.length < Math.max(1, minItems) && items !== false) out.push(generate(items ?? {}, root, depth + 1));
  return out;
}

function generateString(s: JsonObject): string {
  const format = typeof s['format'] === 'string' ? STRING_FORMATS[s['format']] : undefined;
  let value = format ?? 'example';
  const min = typeof s['minLength'] === 'number' ? s['minLength'] : 0;
  const max = typeof s['maxLength'] === 'number' ? s['maxLength'] : Infinity;
  if (value.length < min) value = value.padEnd(min, 'x');
  return value.length > max ? value.slice(0, max) : value;
}

function clamp(value: number, s: JsonObject, integer: boolean): number {
  const read = (key: string): number | undefined => (typeof s[key] === 'number' ? s[key] : undefined);
  const step = integer ? 1 : 0.5;
  const min = read('minimum') ?? (read('exclusiveMinimum') === undefined ? undefined : (read('exclusiveMinimum') ?? 0) + step);
  const max = read('maximum') ?? (read('exclusiveMaximum') === undefined ? undefined : (read('exclusiveMaximum') ?? 0) - step);
  let out = value;
  if (min !== undefined && out < min) out = integer ? Math.ceil(min) : min;
  if (max !== undefined && out > max) out = integer ? Math.floor(max) : max;
  return out;
}
