// The primitive checks of the Messages wire: each returns the value, narrowed, or throws a 400 naming the field
// the way Anthropic does (`messages.0.content.1.type: …`).
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import { invalidField } from '../../errors.ts';

/** A 400 naming the field by its path. */
export const fail = (path: string, message: string) => invalidField(path, `${path}: ${message}`);

/** The value as an object. */
export function object(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw fail(path, 'must be an object.');
  return value;
}
/** The value as a string. */
export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw fail(path, 'must be a string.');
  return value;
}
/** The value as an array. */
export function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw fail(path, 'must be an array.');
  return value;
}
/** A number (an integer where `integer`) within [min, max]. */
export function number(value: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw fail(path, `must be ${integer ? 'an integer' : 'a number'}.`);
  if (value < min || value > max) throw fail(path, `must be between ${min} and ${max}; got ${value}.`);
  return value;
}
/** One of the documented values. */
export function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(value as T)) throw fail(path, `must be one of ${values.map((v) => `"${v}"`).join(', ')}.`);
  return value as T;
}
