// The hostile upstream: a directive with `echo_key: true` has every `{{key}}` in its strings (values, object keys,
// headers, raw bodies, at any depth) replaced by the key the request carried, so a test can make the upstream
// repeat the gateway's provider key anywhere without the gateway's request ever containing it. `{{key:a:b}}`
// is `key.slice(a, b)` (b optional), to split the key across two stream chunks at any point.
import type { Directive } from './types.ts';

const PLACEHOLDER = /\{\{key(?::(\d+):(\d*))?\}\}/g;

function echo(value: unknown, key: string): unknown {
  if (typeof value === 'string')
    return value.replace(PLACEHOLDER, (_, from?: string, to?: string) =>
      from === undefined ? key : key.slice(Number(from), to ? Number(to) : undefined),
    );
  if (Array.isArray(value)) return value.map((v) => echo(v, key));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [echo(k, key), echo(v, key)]));
  return value;
}

/** The directive with the request's key written wherever it says `{{key}}`; unchanged without `echo_key`. */
export function echoKey(directive: Directive, key: string | undefined): Directive {
  return directive.echo_key === true && key !== undefined ? (echo(directive, key) as Directive) : directive;
}
