// A request as OTLP/HTTP JSON spans in OpenTelemetry's GenAI conventions (gen_ai.*): one server span for the
// request, one client span per upstream attempt, one internal span per server tool run. Pure: facts in, the export body out; sending is export.ts's.
import type { Outcome } from '../gateway/types.ts';
import { outcomeTotals } from '../gateway/outcome-totals.ts';
import { roundUsd } from '../core/money.ts';
import { newSpanId, type TraceContext } from '../core/trace-context.ts';

/** What one request gives its spans; times are wall-clock milliseconds. */
export interface RequestSpanFacts {
  readonly trace: TraceContext;
  readonly serviceName: string;
  readonly requestId: string;
  readonly method: string;
  /** The route pattern it matched (`/v1/chat/completions`), never the raw path or its query. */
  readonly route: string | undefined;
  readonly status: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcomes: readonly Outcome[];
  /** A time of the gateway's monotonic clock (attempts and tool runs record it) as wall-clock ms. */
  readonly wallOf: (monotonicMs: number) => number;
}

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP span kinds and status codes (opentelemetry-proto trace.proto). */
const KIND = { internal: 1, server: 2, client: 3 } as const;
const STATUS = { unset: 0, error: 2 } as const;

// The provider names the GenAI conventions list, where the gateway's differ.
const PROVIDER_NAME: Readonly<Record<string, string>> = {
  azure: 'azure.ai.openai',
  gemini: 'gcp.gemini',
  mistral: 'mistral_ai',
  xai: 'x_ai',
  'anthropic-compat': 'anthropic',
};

function attribute(key: string, value: string | number | boolean | readonly string[] | undefined): KeyValue[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [{ key, value: { stringValue: value } }];
  if (typeof value === 'boolean') return [{ key, value: { boolValue: value } }];
  if (typeof value === 'number') return [{ key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }];
  return [{ key, value: { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } }];
}

const attributes = (entries: Record<string, string | number | boolean | readonly string[] | undefined>): KeyValue[] =>
  Object.entries(entries).flatMap(([key, value]) => attribute(key, value));

/** `provider/model` split for the conventions: the provider's conventional name and the model as the provider knows it. */
function modelParts(id: string): { provider: string; model: string } {
  const slash = id.indexOf('/');
  const provider = slash > 0 ? id.slice(0, slash) : '';
  return { provider: PROVIDER_NAME[provider] ?? provider, model: slash > 0 ? id.slice(slash + 1) : id };
}

const nanos = (ms: number): string => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

/** `chat` for the model-calling routes, `embeddings` for /v1/embeddings. */
const operationOf = (route: string | undefined): string => (route?.endsWith('/embeddings') ? 'embeddings' : 'chat');

/** Every finish reason the request's calls answered with, in order. */
const finishReasons = (outcomes: readonly Outcome[]): string[] =>
  outcomes.flatMap((o) => (o.completion?.choices ?? []).flatMap((c) => (c.finish_reason ? [c.finish_reason] : [])));

function requestSpan(facts: RequestSpanFacts) {
  const { outcomes, trace } = facts;
  const last = outcomes.at(-1);
  const firstAttempt = outcomes.find((o) => o.attempts.length > 0)?.attempts[0];
  const sum = outcomeTotals(outcomes);
  const reasons = finishReasons(outcomes);
  const asked = firstAttempt ? modelParts(firstAttempt.model) : undefined;
  const answered = last?.target ? modelParts(last.target.id) : undefined;
  const operation = operationOf(facts.route);
  const error = last?.error;
  // As for any HTTP server span, a 4xx is the caller's, not an error of this span; a stream that failed after its 200 is.
  const failed = facts.status >= 500 || (facts.status < 400 && last?.status === 'error');
  return {
    traceId: trace.traceId,
    spanId: trace.spanId,
    ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
    name: asked ? `${operation} ${asked.model}` : `${facts.method} ${facts.route ?? 'unmatched route'}`,
    kind: KIND.server,
    startTimeUnixNano: nanos(facts.startMs),
    endTimeUnixNano: nanos(Math.max(facts.endMs, facts.startMs)),
    attributes: attributes({
      'http.request.method': facts.method,
      'http.route': facts.route,
      'http.response.status_code': facts.status,
      'gateway.request_id': facts.requestId,
      ...(asked
        ? {
            'gen_ai.operation.name': operation,
            'gen_ai.provider.name': answered?.provider ?? asked.provider,
            'gen_ai.request.model': asked.model,
            'gen_ai.response.model': last?.completion?.model ?? answered?.model,
            'gen_ai.response.id': last?.completion?.id,
            'gen_ai.response.finish_reasons': reasons.length > 0 ? reasons : undefined,
            'gen_ai.usage.input_tokens': sum.counted ? sum.prompt : undefined,
            'gen_ai.usage.output_tokens': sum.counted ? sum.completion : undefined,
            'gen_ai.usage.cache_read.input_tokens': sum.counted && sum.cached > 0 ? sum.cached : undefined,
            'gateway.cost_usd': sum.priced ? roundUsd(sum.usd) : undefined,
            'gateway.cache': last?.cache,
            'gateway.outcome': last?.status,
          }
        : {}),
      'error.type':
        failed || facts.status >= 400 || last?.status === 'aborted' ? (error?.code ?? error?.type ?? String(facts.status)) : undefined,
    }),
    status: failed ? { code: STATUS.error, message: error?.message ?? `HTTP ${facts.status}` } : { code: STATUS.unset },
  };
}

function attemptSpans(facts: RequestSpanFacts) {
  const operation = operationOf(facts.route);
  return facts.outcomes.flatMap((outcome) =>
    outcome.attempts.flatMap((attempt, index) => {
      if (attempt.spanId === undefined || attempt.at === undefined) return [];
      const { provider, model } = modelParts(attempt.model);
      const start = facts.wallOf(attempt.at);
      const answered = attempt.status === 200 && index === outcome.attempts.length - 1;
      const usage = answered ? outcome.usage : undefined;
      const failed = attempt.status !== 200;
      return [
        {
          traceId: facts.trace.traceId,
          spanId: attempt.spanId,
          parentSpanId: facts.trace.spanId,
          name: `${operation} ${model}`,
          kind: KIND.client,
          startTimeUnixNano: nanos(start),
          endTimeUnixNano: nanos(start + attempt.ms),
          attributes: attributes({
            'gen_ai.operation.name': operation,
            'gen_ai.provider.name': provider,
            'gen_ai.request.model': model,
            'gen_ai.response.model': answered ? outcome.completion?.model : undefined,
            'gen_ai.response.id': answered ? outcome.completion?.id : undefined,
            'gen_ai.usage.input_tokens': usage?.prompt_tokens,
            'gen_ai.usage.output_tokens': usage?.completion_tokens,
            'http.response.status_code': attempt.status,
            'error.type': failed ? (attempt.error ?? String(attempt.status)) : undefined,
          }),
          status: failed ? { code: STATUS.error, message: attempt.error ?? `HTTP ${attempt.status}` } : { code: STATUS.unset },
        },
      ];
    }),
  );
}

/** One internal span per server tool the tool loop ran, a child of the request's span. */
function toolSpans(facts: RequestSpanFacts) {
  return facts.outcomes.flatMap((outcome) =>
    (outcome.tools ?? []).map((run) => {
      const start = facts.wallOf(run.at);
      return {
        traceId: facts.trace.traceId,
        spanId: newSpanId(),
        parentSpanId: facts.trace.spanId,
        name: `execute_tool ${run.name}`,
        kind: KIND.internal,
        startTimeUnixNano: nanos(start),
        endTimeUnixNano: nanos(start + run.ms),
        attributes: attributes({
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': run.name,
          'gen_ai.tool.call.id': run.id,
          'gen_ai.tool.type': 'function',
          'error.type': run.error === undefined ? undefined : 'tool_error',
        }),
        status: run.error === undefined ? { code: STATUS.unset } : { code: STATUS.error, message: run.error },
      };
    }),
  );
}

/**
 * The OTLP/HTTP JSON body (`ExportTraceServiceRequest`) for one request: its server span, parented to the
 * caller's span when it sent `traceparent`; one client span per upstream attempt, whose ids are the
 * ones sent upstream in `traceparent`; one internal span per server tool run.
 */
export function requestSpans(facts: RequestSpanFacts): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes({ 'service.name': facts.serviceName }) },
        scopeSpans: [{ scope: { name: 'edge-llm-gateway' }, spans: [requestSpan(facts), ...attemptSpans(facts), ...toolSpans(facts)] }],
      },
    ],
  };
}
