import { invalidField } from '../errors.ts';
import { isJsonObject } from '../core/types.ts';
import { EXTRACT_LIMITS } from './limits.ts';

/** Keywords whose schemas apply to the same instance: a `$ref` cycle through only these never ends. */
const IN_PLACE = ['not', 'if', 'then', 'else'];
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'];
const IN_PLACE_MAPS = ['dependentSchemas', 'dependencies'];
/** Keywords whose schemas apply to a part of the instance (a property, an item, a name): recursion through them ends with the answer. */
const DESCENDING = ['additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties'];
const DESCENDING_LISTS = ['prefixItems', 'items'];
const DESCENDING_MAPS = ['properties', 'patternProperties'];

const refused = (message: string) => invalidField('schema', message, 'invalid_schema');

/** What validating with a schema costs per part of the answer, as far as it can be known before the answer exists. */
export interface SchemaCost {
  /** `$ref`s followed when the schema is expanded once. */
  readonly refExpansions: number;
}

/**
 * Refuses a schema whose validation could cost more than the caps in `EXTRACT_LIMITS` (size, `$ref`
 * expansion count and depth, combinator branches) or never end (a `$ref` cycle that does not step into the
 * answer), with a 400 `invalid_schema` naming the cap. It expands the schema as the validator would,
 * following each `$ref` except one back to a schema it is already inside of after stepping into the answer
 * (that recursion ends with the answer; `refBudget` in schema.ts bounds it while validating).
 * Only local references (`#`, `#/…`) are accepted, so every one is followed here.
 * @example assertSchemaCost({ $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }) // throws: a cycle
 */
export function assertSchemaCost(schema: Record<string, unknown>, json: string): SchemaCost {
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > EXTRACT_LIMITS.schemaBytes)
    throw refused(`"schema" is ${bytes} bytes; the most it may be is ${EXTRACT_LIMITS.schemaBytes} (schema size cap).`);
  const count = { refs: 0, branches: 0 };

  const visit = (node: unknown, at: string, inside: ReadonlySet<string>, inPlace: ReadonlySet<string>, refDepth: number): void => {
    if (!isJsonObject(node)) return;
    if (at !== '#' && '$id' in node) throw refused(`"schema" at ${at} sets "$id": only the root may, so that every "$ref" is local.`);
    for (const keyword of ['$dynamicRef', '$recursiveRef'])
      if (keyword in node) throw refused(`"schema" at ${at} uses "${keyword}"; only local "$ref"s are supported.`);
    const ref = node['$ref'];
    if (ref !== undefined) {
      if (typeof ref !== 'string' || !(ref === '#' || ref.startsWith('#/')))
        throw refused(`"schema" at ${at}/$ref is ${JSON.stringify(ref)}; only local references ("#" or "#/…") are supported.`);
      if (inPlace.has(ref))
        throw refused(`"schema" at ${at}/$ref refers back to ${ref} without stepping into the answer: validating it would never end.`);
      if (!inside.has(ref)) {
        if (++count.refs > EXTRACT_LIMITS.refExpansions)
          throw refused(
            `"schema" expands to more than ${EXTRACT_LIMITS.refExpansions} "$ref"s (cap on $ref expansions); share fewer definitions or nest them less.`,
          );
        if (refDepth + 1 > EXTRACT_LIMITS.refDepth)
          throw refused(
            `"schema" at ${at}/$ref follows more than ${EXTRACT_LIMITS.refDepth} "$ref"s one inside another (cap on $ref depth).`,
          );
        visit(resolve(schema, ref), ref, new Set(inside).add(ref), new Set(inPlace).add(ref), refDepth + 1);
      }
    }
    const here = (sub: unknown, path: string) => visit(sub, path, inside, inPlace, refDepth);
    const below = (sub: unknown, path: string) => visit(sub, path, inside, new Set(), refDepth);
    for (const key of IN_PLACE) here(node[key], `${at}/${key}`);
    for (const key of DESCENDING) below(node[key], `${at}/${key}`);
    for (const key of IN_PLACE_LISTS) {
      const list = node[key];
      if (!Array.isArray(list)) continue;
      count.branches += list.length;
      if (count.branches > EXTRACT_LIMITS.combinatorBranches)
        throw refused(
          `"schema" has more than ${EXTRACT_LIMITS.combinatorBranches} allOf/anyOf/oneOf branches once its "$ref"s are expanded (cap on combinator branches).`,
        );
      for (const [i, sub] of list.entries()) here(sub, `${at}/${key}/${i}`);
    }
    for (const key of DESCENDING_LISTS) {
      const list = node[key];
      if (Array.isArray(list)) for (const [i, sub] of list.entries()) below(sub, `${at}/${key}/${i}`);
      else if (key === 'items') below(list, `${at}/items`);
    }
    for (const key of [...IN_PLACE_MAPS, ...DESCENDING_MAPS]) {
      const map = node[key];
      if (!isJsonObject(map)) continue;
      const step = IN_PLACE_MAPS.includes(key) ? here : below;
      for (const [name, sub] of Object.entries(map)) step(sub, `${at}/${key}/${name}`);
    }
  };

  visit(schema, '#', new Set(['#']), new Set(['#']), 0);
  return { refExpansions: count.refs };
}

/** The schema a local reference points at (schemaProblems has already checked that it resolves). */
function resolve(root: unknown, ref: string): unknown {
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isJsonObject(node) ? node[key] : undefined;
  }
  return node;
}
