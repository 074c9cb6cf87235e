// Validates the `mock` field of a request. Typos in a directive would silently
// turn a fault test into a happy-path test, so unknown keys and wrong types are
// reported (the server answers 400) instead of being ignored.
import { isObject } from './json.ts';
import type { Directive } from './types.ts';

type Check = (value: unknown, path: string, errors: string[]) => void;

const isNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

const num: Check = (v, p, e) => {
  if (!isNonNegative(v)) e.push(`${p} must be a number >= 0`);
};
const str: Check = (v, p, e) => {
  if (typeof v !== 'string') e.push(`${p} must be a string`);
};
const bool: Check = (v, p, e) => {
  if (typeof v !== 'boolean') e.push(`${p} must be a boolean`);
};
const anything: Check = () => {};

const status: Check = (v, p, e) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v > 999) e.push(`${p} must be an HTTP status code`);
};

const headers: Check = (v, p, e) => {
  if (!isObject(v)) {
    e.push(`${p} must be an object of strings`);
    return;
  }
  for (const [k, h] of Object.entries(v)) str(h, `${p}.${k}`, e);
};

function shape(fields: Record<string, Check>, required: readonly string[] = []): Check {
  return (v, p, e) => {
    if (!isObject(v)) {
      e.push(`${p} must be an object`);
      return;
    }
    for (const [k, value] of Object.entries(v)) {
      const check = fields[k];
      if (check === undefined) e.push(`${p}.${k} is not a known directive field`);
      else check(value, `${p}.${k}`, e);
    }
    for (const k of required) if (!(k in v)) e.push(`${p}.${k} is required`);
  };
}

function list(item: Check): Check {
  return (v, p, e) => {
    if (!Array.isArray(v)) {
      e.push(`${p} must be an array`);
      return;
    }
    for (const [i, x] of v.entries()) item(x, `${p}[${i}]`, e);
  };
}

const toolArguments: Check = (v, p, e) => {
  if (typeof v !== 'string' && (typeof v !== 'object' || v === null)) e.push(`${p} must be a string or an object`);
};

const usageIn: Check = (v, p, e) => {
  if (v !== 'separate' && v !== 'last_chunk' && v !== 'x_groq' && v !== 'none') {
    e.push(`${p} must be one of separate, last_chunk, x_groq, none`);
  }
};

const streamFields: Record<string, Check> = {
  chunk_delay_ms: num,
  cut_after: num,
  stall_after: num,
  malformed_after: num,
  error_after: num,
  event_error_after: num,
  no_done: bool,
  comments: bool,
  crlf: bool,
  usage_in: usageIn,
  tool_index_base: num,
  tool_calls_whole: bool,
  role_every_chunk: bool,
  pieces: num,
  repeat: num,
  fragment: num,
};

const directiveFields: Record<string, Check> = {
  id: str,
  status,
  body: anything,
  headers,
  delay_ms: num,
  content: str,
  refusal: str,
  finish_reason: str,
  fragment: num,
  fixture: str,
  stall: bool,
  reset: bool,
  tool_calls: list(shape({ name: str, arguments: toolArguments, id: str }, ['name', 'arguments'])),
  usage: shape({ prompt_tokens: num, completion_tokens: num }),
  stream: shape(streamFields),
  raw: shape({ status, headers, body: str }, ['body']),
  echo_key: bool,
};
// Steps are directives themselves (without nested steps or ids).
const stepFields: Record<string, Check> = { ...directiveFields };
delete stepFields['id'];
directiveFields['steps'] = list(shape(stepFields));

const checkDirective = shape(directiveFields);

/** Returns the directive, or the list of problems found in it. */
export function parseDirective(value: unknown): { directive: Directive } | { errors: string[] } {
  const errors: string[] = [];
  checkDirective(value, 'mock', errors);
  // The checks above establish every field's type, so the cast is sound.
  return errors.length > 0 ? { errors } : { directive: value as Directive };
}

/** The directive for attempt `attempt` (0-based): base merged with steps[attempt]. */
export function directiveForAttempt(directive: Directive, attempt: number): Directive {
  const { steps, ...base } = directive;
  if (steps === undefined) return base;
  const step = directive.id === undefined ? steps[0] : steps[attempt];
  return step === undefined ? base : { ...base, ...step };
}
