// The primitive checks of the Responses wire: each returns the value, narrowed, or throws a 400 naming the field
// the way OpenAI does (`Invalid 'input[2].content[0].type': …`).
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';

/** A 400 naming the field by its path. */
export const fail = (path: string, message: string) => invalidField(path, `Invalid '${path}': ${message}`);

/** The value as an object. */
export function object(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw fail(path, 'expected an object.');
  return value;
}
/** The value as a string. */
export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw fail(path, 'expected a string.');
  return value;
}
/** The value as an array. */
export function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw fail(path, 'expected an array.');
  return value;
}
/** The value as a boolean. */
export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw fail(path, 'expected a boolean.');
  return value;
}
/** A number (an integer where `integer`) within [min, max]. */
export function number(value: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw fail(path, `expected ${integer ? 'an integer' : 'a number'}.`);
  if (value < min || value > max) throw fail(path, `must be between ${min} and ${max}; got ${value}.`);
  return value;
}
/** One of the documented values. */
export function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(value as T))
    throw fail(path, `must be one of ${values.map((v) => `'${v}'`).join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}
/** Whether a field was sent with a value (null counts as absent, as OpenAI takes it). */
export const given = (value: unknown): boolean => value !== undefined && value !== null;
