// The primitive checks of OpenAI's request validators, in OpenAI's own wording: each returns the value, narrowed,
// or throws a `Rejected` naming the field by its path (`messages[0].role`). Pure; imports only the error leaf.
import { type GatewayCode, invalidField } from '../../errors.ts';

/** A field OpenAI would reject: its path as OpenAI names it (`messages[0].role`), OpenAI's message and code. */
export interface FieldProblem {
  param: string;
  message: string;
  /** OpenAI's code: `invalid_type`, `invalid_value`, `missing_required_parameter`, `integer_below_min_value`, … */
  code: string;
}

export type Json = Record<string, unknown>;

/** Thrown inside a checker and caught at its door, so each check is one line. */
class Rejected extends Error {
  readonly problem: FieldProblem;
  constructor(problem: FieldProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/** The first problem `check` finds in `body`, or null when it passes. */
export function firstProblem<T>(check: (body: T) => void, body: T): FieldProblem | null {
  try {
    check(body);
    return null;
  } catch (error) {
    if (error instanceof Rejected) return error.problem;
    throw error;
  }
}

/** A problem as the gateway's 400: OpenAI's message and param, the gateway's code for OpenAI's. */
export function problemError(problem: FieldProblem) {
  return invalidField(problem.param, problem.message, gatewayCode(problem.code));
}

function gatewayCode(openAiCode: string): GatewayCode {
  if (openAiCode === 'invalid_type') return 'invalid_type';
  if (openAiCode === 'missing_required_parameter') return 'missing_field';
  return 'invalid_value';
}

/** Whether a nullable field was sent with a value (OpenAI takes null as absent). */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The field's value; OpenAI's "Missing required parameter" when it is absent. */
export function required(obj: Json, field: string, path: string): unknown {
  const value = obj[field];
  if (value === undefined) reject(`${path}.${field}`, `Missing required parameter: '${path}.${field}'.`, 'missing_required_parameter');
  return value;
}

/** The value as a string, or OpenAI's invalid_type. */
export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') wrongType(path, 'a string', value);
  return value;
}

/** The value as a boolean, or OpenAI's invalid_type. */
export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') wrongType(path, 'a boolean', value);
  return value;
}

/** The value as a JSON object (not an array, not null), or OpenAI's invalid_type. */
export function object(value: unknown, path: string): Json {
  if (!isObject(value)) wrongType(path, 'an object', value);
  return value;
}

/** The value as an array, or OpenAI's invalid_type. */
export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) wrongType(path, 'an array', value);
  return value;
}

/** A number (an integer where `integer`) within [min, max], or OpenAI's invalid_type or below/above-bound value. */
export function number(value: unknown, path: string, min: number, max: number, integer: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(path, integer ? 'an integer' : 'a number', value);
  if (integer && !Number.isInteger(value)) wrongType(path, 'an integer', value);
  const kind = integer ? 'integer' : 'decimal';
  if (value < min)
    reject(
      path,
      `Invalid '${path}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      `${kind}_below_min_value`,
    );
  if (value > max)
    reject(
      path,
      `Invalid '${path}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      `${kind}_above_max_value`,
    );
}

/** One of the documented values, or OpenAI's invalid_value listing them. */
export function oneOf(value: unknown, path: string, values: readonly string[]): string {
  const text = string(value, path);
  if (!values.includes(text)) reject(path, `Invalid value: '${text}'. Supported values are: ${list(values)}.`, 'invalid_value');
  return text;
}

/** An array whose every item passes `each` (items named `path[i]`). */
export function arrayOf(value: unknown, path: string, each: (item: unknown, path: string) => unknown): void {
  for (const [i, item] of array(value, path).entries()) each(item, `${path}[${i}]`);
}

/** An object whose every value passes `each` (values named `path.key`). */
export function mapOf(value: unknown, path: string, each: (item: unknown, path: string) => unknown): void {
  for (const [key, item] of Object.entries(object(value, path))) each(item, `${path}.${key}`);
}

/** Whether a value is a JSON object: not null, not an array. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How OpenAI names a JSON value's type in its messages: "a string", "a decimal", "null", … */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'boolean' ? 'a boolean' : 'a string';
}

/** 'a', 'b', and 'c', as OpenAI lists supported values. */
export function list(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

/** OpenAI's invalid_type message for a value of the wrong JSON type. */
export function wrongType(path: string, expected: string, value: unknown): never {
  return reject(path, `Invalid type for '${path}': expected ${expected}, but got ${describe(value)} instead.`, 'invalid_type');
}

/** Stops the check at the first problem: caught by `firstProblem`. */
export function reject(param: string, message: string, code: string): never {
  throw new Rejected({ param, message, code });
}
