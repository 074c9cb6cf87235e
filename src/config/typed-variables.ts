// Typed reads of one variable each, failing with a `config_error` that names it: shared by every settings reader.
import { configError } from '../errors.ts';
import { readVariable } from './variables.ts';

/** A whole number above 0. */
export function positiveInt(env: object, name: string): number {
  const raw = readVariable(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw configError(name, `expected a positive whole number, got "${raw}".`);
  return n;
}

/** A whole number, 0 included. */
export function wholeNumber(env: object, name: string): number {
  const raw = readVariable(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw configError(name, `expected a whole number, got "${raw}".`);
  return n;
}

/** A positive whole number, or undefined when the variable is empty. */
export function optionalPositiveInt(env: object, name: string): number | undefined {
  return readVariable(env, name) === '' ? undefined : positiveInt(env, name);
}

/** A positive number (whole where `integer`), or null when the variable is empty, which means unlimited. */
export function optionalLimit(env: object, name: string, integer: boolean): number | null {
  const raw = readVariable(env, name);
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw configError(name, `expected a positive ${integer ? 'whole number' : 'number'}, or empty for unlimited; got "${raw}".`);
  return n;
}

/** "true" or "false", in any case. */
export function boolean(env: object, name: string): boolean {
  const raw = readVariable(env, name).toLowerCase();
  if (raw !== 'true' && raw !== 'false') throw configError(name, `expected "true" or "false", got "${raw}".`);
  return raw === 'true';
}
