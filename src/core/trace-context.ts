/**
 * A request's place in a distributed trace (W3C Trace Context): the trace it belongs to, the caller's span
 * that is its parent (from a `traceparent` header), its own span, whether the trace is sampled, and whether
 * the gateway records spans for it (OTLP export on and sampled) or only passes the caller's context upstream.
 */
export interface TraceContext {
  readonly traceId: string;
  readonly parentSpanId: string | undefined;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly recorded: boolean;
}

// version 00: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`; later versions may append fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  let out = '';
  for (const byte of buffer) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** A fresh span id (8 random bytes, hex). */
export const newSpanId = (): string => randomHex(8);

/**
 * The trace of a request. A valid `traceparent` from the caller gives its trace id, its span as the parent
 * and its sampled flag; an invalid one is ignored, as the spec asks, never an error. Without one, a new trace
 * is started only when the gateway exports spans, sampled at `sampleRatio` (0 to 1). Undefined: not traced.
 * @example traceFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', { exporting: true, sampleRatio: 1, random: Math.random }) // { traceId: '4bf9…', parentSpanId: '00f0…', sampled: true, recorded: true, … }
 */
export function traceFrom(
  header: string | null,
  options: { readonly exporting: boolean; readonly sampleRatio: number; readonly random: () => number },
): TraceContext | undefined {
  const match = header === null ? null : TRACEPARENT.exec(header.trim());
  const [, version, traceId, parentId, flags, rest] = match ?? [];
  const valid =
    version !== undefined &&
    version !== 'ff' &&
    (version !== '00' || rest === undefined) &&
    traceId !== undefined &&
    !/^0+$/.test(traceId) &&
    parentId !== undefined &&
    !/^0+$/.test(parentId) &&
    flags !== undefined;
  if (valid) {
    const sampled = (Number.parseInt(flags, 16) & 1) === 1;
    return { traceId, parentSpanId: parentId, spanId: newSpanId(), sampled, recorded: options.exporting && sampled };
  }
  if (!options.exporting || options.random() >= options.sampleRatio) return undefined;
  return { traceId: randomHex(16), parentSpanId: undefined, spanId: newSpanId(), sampled: true, recorded: true };
}

/** The `traceparent` header naming `spanId` as the parent of what it is sent with. */
export const traceparent = (trace: TraceContext, spanId: string): string => `00-${trace.traceId}-${spanId}-${trace.sampled ? '01' : '00'}`;

/**
 * The fetch of one upstream attempt: it sends `traceparent` naming the attempt's own span as the parent, or,
 * where the gateway records no spans, the caller's span (the provider's spans then join the caller's trace).
 */
export function tracedFetch(fetchImpl: typeof fetch, trace: TraceContext | undefined, attemptSpanId: string | undefined): typeof fetch {
  const parent = attemptSpanId ?? trace?.parentSpanId;
  if (!trace || !parent) return fetchImpl;
  const value = traceparent(trace, parent);
  return (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('traceparent', value);
    return fetchImpl(input, { ...init, headers });
  };
}
