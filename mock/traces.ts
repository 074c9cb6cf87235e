// A stand-in OpenTelemetry collector: `POST …/v1/traces` (OTLP/HTTP JSON) is kept, and
// `GET /__mock/traces/<trace id>` returns the spans received for that trace with the headers they came with.
import type { Exchange } from './exchange.ts';
import { flatHeaders, readBody, sendJson } from './http.ts';

export interface ReceivedSpan {
  readonly span: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

// Bounded so a long `npm start` session or a benchmark cannot grow memory without limit.
const MAX_SPANS = 5000;

export class TraceStore {
  #spans: ReceivedSpan[] = [];

  add(spans: ReceivedSpan[]): void {
    this.#spans.push(...spans);
    if (this.#spans.length > MAX_SPANS) this.#spans = this.#spans.slice(-MAX_SPANS);
  }

  byTrace(traceId: string): ReceivedSpan[] {
    return this.#spans.filter((s) => s.span['traceId'] === traceId);
  }

  clear(): void {
    this.#spans = [];
  }
}

/** Reads an export body's spans (resourceSpans → scopeSpans → spans); anything else answers 400 as a collector would. */
export async function receiveTraces(ex: Exchange, store: TraceStore): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(ex.req));
  } catch {
    return sendJson(ex.res, 400, { error: 'not JSON' });
  }
  const resourceSpans = (body as { resourceSpans?: unknown }).resourceSpans;
  if (!Array.isArray(resourceSpans)) return sendJson(ex.res, 400, { error: 'no resourceSpans' });
  const headers = flatHeaders(ex.req);
  const spans: ReceivedSpan[] = [];
  for (const resource of resourceSpans as { resource?: unknown; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[])
    for (const scope of resource.scopeSpans ?? [])
      for (const span of scope.spans ?? []) spans.push({ span: { ...span, resource: resource.resource }, headers });
  store.add(spans);
  sendJson(ex.res, 200, { partialSuccess: {} });
}
