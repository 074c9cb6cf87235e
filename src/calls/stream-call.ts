import { roundUsd } from '../core/money.ts';
import { scrubError } from '../core/scrub.ts';
import { asGatewayError, clientClosed } from '../errors.ts';
import { within } from '../gateway/clock.ts';
import type { Answer, GatewayEvent, Outcome } from '../gateway/types.ts';
import type { RequestContext } from '../http/context.ts';
import { callLimitHeaders } from '../limits/limit-headers.ts';
import { SSE_HEADERS, sseBody, type SseEncoder, type StreamEnd } from '../stream/sse-response.ts';
import { gatewayHeaders } from './answer-headers.ts';
import type { StartedCall } from './start-call.ts';

/** The events of an answer still to come, with a keep-alive event every `ms` while it is awaited. */
async function* keptAlive(rc: RequestContext, answer: Promise<Answer>, ms: number): AsyncGenerator<GatewayEvent> {
  for (;;) {
    const settled = await within(rc.deps.clock, answer, ms);
    if (settled) return yield* settled.events;
    yield { type: 'keep_alive' };
  }
}

/** The end frames' facts from a call's outcome. */
async function streamEnd(outcome: Promise<Outcome>): Promise<StreamEnd> {
  const o = await outcome;
  return {
    model: o.target?.id ?? '',
    finishReason: o.completion?.choices[0]?.finish_reason ?? 'stop',
    usage: o.completion?.usage ?? o.usage,
    costUsd: o.cost === undefined ? undefined : roundUsd(o.cost.usd),
    estimated: o.cost?.estimated === true || o.usage?.estimated === true,
  };
}

/**
 * Streams a model call in one SSE dialect. An answer that starts within the keep-alive interval is sent
 * with its real status (so an upstream 429 is still a 429); a slower one commits to a 200 stream and
 * sends `: ping` comments until its first token, ending in an error event if it fails.
 */
export async function streamCall(rc: RequestContext, started: StartedCall, encoder: SseEncoder): Promise<Response> {
  const { call, controller } = started;
  const keepAliveMs = rc.config.resilience.keepAliveMs;
  const early = await within(rc.deps.clock, call.answer, keepAliveMs);
  rc.streamed = true;
  const body = sseBody(early ? early.events : keptAlive(rc, call.answer, keepAliveMs), {
    encoder,
    toError: (error) => scrubError(asGatewayError(error, rc.requestId), rc.config.secrets),
    abort: () => controller.abort(clientClosed()),
    firstFrame: () => {
      rc.log.ttfb_ms = Math.round(rc.deps.clock.now() - rc.startedAt);
    },
    end: () => streamEnd(call.outcome),
  });
  return new Response(body, {
    headers: { ...SSE_HEADERS, ...started.headers, ...(early ? { ...callLimitHeaders(early.limits), ...gatewayHeaders(early) } : {}) },
  });
}
