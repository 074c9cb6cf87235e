// Field checks of the gateway's own request bodies (/chat, /stream, /extract, /v1/tokens/count), worded as the
// Chat Completions validator words the same mistakes, so one mistake reads the same on every route.
import { invalidField } from '../../errors.ts';
import { array, boolean, firstProblem, type Json, number, object, problemError, string } from '../openai-chat/checks.ts';

/** 400 naming the first field that is not in `fields`, so a typo (`max_token`) is never silently ignored. */
export function onlyFields(body: Json, fields: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw invalidField(key, `Unknown field "${key}". Accepted fields: ${fields.join(', ')}.`, 'unknown_field');
  }
}

const TYPES = {
  string: (value: unknown, field: string) => string(value, field),
  boolean: (value: unknown, field: string) => boolean(value, field),
  number: (value: unknown, field: string) => number(value, field, -Infinity, Infinity, false),
  object: (value: unknown, field: string) => object(value, field),
  array: (value: unknown, field: string) => array(value, field),
};

/** 400 naming the field when it is present with the wrong JSON type. */
export function optional(body: Json, field: string, type: keyof typeof TYPES): void {
  const value = body[field];
  if (value === undefined) return;
  const problem = firstProblem((v: unknown) => TYPES[type](v, field), value);
  if (problem) throw problemError(problem);
}
