import { type IRequest, Router } from 'itty-router';
import { authorizeAdmin } from './admin/admin-auth.ts';
import { defaultDeps, pipeline } from './composition.ts';
import { pageOrigin } from './core/page-origin.ts';
import type { Config } from './config/config.ts';
import { configFor } from './config/config.ts';
import { asGatewayError, GatewayError } from './errors.ts';
import type { CallModel } from './gateway/types.ts';
import { ANONYMOUS, authenticate, presentedKey } from './http/auth.ts';
import type { AppDeps, Handler, RequestContext } from './http/context.ts';
import { assertAnonymousOriginAllowed, preflight, withCors } from './http/cors.ts';
import { writeLogLine } from './http/log-line.ts';
import { serverTiming } from './http/server-timing.ts';
import { enqueueLogLine } from './request-log/enqueue.ts';
import { traceFrom, traceparent, type TraceContext } from './core/trace-context.ts';
import type { TelemetrySettings } from './config/telemetry-settings.ts';
import { exportSpans } from './telemetry/export.ts';
import { requestSpans } from './telemetry/otlp-spans.ts';
import { adminLogs, adminStats } from './routes/admin-logs.ts';
import { renderError, renderErrorEvent } from './http/render-error.ts';
import { matchRoute, type RouteMatch, type RouteRow } from './http/route-match.ts';
import { scrubError } from './core/scrub.ts';
import { unknownRouteMessage } from './http/unknown-route.ts';
import { limitsDepsFor } from './limits/limits-deps.ts';
import { checkKeyOrigin } from './limits/check-access.ts';
import { lookupKey } from './limits/lookup-key.ts';
import { admin } from './routes/admin.ts';
import { chat } from './routes/chat.ts';
import { chatCompletions } from './routes/chat-completions.ts';
import { embeddings } from './routes/embeddings.ts';
import { extract } from './routes/extract.ts';
import { messages, messagesCountTokens } from './routes/messages.ts';
import { deleteResponse, responseInputItems, responses, retrieveResponse } from './routes/responses.ts';
import { attachStream, cancelStream } from './resumable/resumable-route.ts';
import { health } from './routes/health.ts';
import { model, models } from './routes/models.ts';
import { stream } from './routes/stream.ts';
import { tokensCount } from './routes/tokens-count.ts';
import { usage } from './routes/usage.ts';
import { assetRankFiles } from './tokens/asset-rank-files.ts';
import { useRankFiles } from './tokens/encodings.ts';
import { ToolRegistry } from './tools/registry.ts';
import { messagesErrorBody } from './wire/anthropic-messages/error-body.ts';

/** The route table: every served path, its handlers by method and its guard. Nothing else is served. */
const ROUTES: readonly RouteRow<Handler>[] = [
  { path: '/health', auth: 'public', methods: { GET: health } },
  { path: '/v1/models', auth: 'key', methods: { GET: models } },
  { path: '/v1/models/:id', auth: 'key', methods: { GET: model } },
  { path: '/v1/models/:provider/:id', auth: 'key', methods: { GET: model } },
  { path: '/v1/tokens/count', auth: 'key', methods: { POST: tokensCount } },
  { path: '/v1/chat/completions', auth: 'key', methods: { POST: chatCompletions } },
  { path: '/v1/embeddings', auth: 'key', methods: { POST: embeddings } },
  // Anthropic's Messages API: its clients send the key as `x-api-key` and read errors in Anthropic's shape.
  { path: '/v1/messages', auth: 'key', methods: { POST: messages }, keyHeader: 'x-api-key', errorBody: messagesErrorBody },
  {
    path: '/v1/messages/count_tokens',
    auth: 'key',
    methods: { POST: messagesCountTokens },
    keyHeader: 'x-api-key',
    errorBody: messagesErrorBody,
  },
  // OpenAI's Responses API (the Codex CLI, the Agents SDK, @ai-sdk/openai): OpenAI's key header and error shape.
  { path: '/v1/responses', auth: 'key', methods: { POST: responses } },
  // Stored responses: each key reads only its own (one Durable Object per key).
  { path: '/v1/responses/:id', auth: 'key', methods: { GET: retrieveResponse, DELETE: deleteResponse } },
  { path: '/v1/responses/:id/input_items', auth: 'key', methods: { GET: responseInputItems } },
  { path: '/chat', auth: 'key', methods: { POST: chat } },
  // EventSource cannot send headers, so GET /stream alone accepts `?access_token=`.
  { path: '/stream', auth: 'key', methods: { GET: stream, POST: stream }, queryTokenMethod: 'GET' },
  // A resumable stream (x-gateway-resumable: true): reattach with Last-Event-ID or ?after=, or cancel it.
  { path: '/stream/:id', auth: 'key', methods: { GET: attachStream, DELETE: cancelStream }, queryTokenMethod: 'GET' },
  { path: '/extract', auth: 'key', methods: { POST: extract } },
  { path: '/v1/usage', auth: 'key', methods: { GET: usage } },
  { path: '/admin/keys', auth: 'admin', methods: { GET: admin, POST: admin } },
  { path: '/admin/keys/:id', auth: 'admin', methods: { GET: admin, PATCH: admin, DELETE: admin } },
  { path: '/admin/keys/:id/usage', auth: 'admin', methods: { GET: admin } },
  { path: '/admin/logs', auth: 'admin', methods: { GET: adminLogs } },
  { path: '/admin/stats', auth: 'admin', methods: { GET: adminStats } },
];

/** The pipeline, noting for Server-Timing how long each call's upstream attempts took to start answering. */
function timedUpstream(callModel: CallModel, rc: RequestContext): CallModel {
  return (request) => {
    const call = callModel(request);
    const note = (attempts: readonly { ms: number }[]) => {
      rc.upstreamMs += attempts.reduce((sum, a) => sum + a.ms, 0);
    };
    // An answer that starts says so before the route reads it; one that fails leaves its attempts in its outcome.
    call.answer.then(
      (answer) => note(answer.attempts),
      () => call.outcome.then((outcome) => note(outcome.attempts)),
    );
    return call;
  };
}

/** Sends the request's spans to the collector once every call has ended (a stream's when its body ends). */
async function exportTrace(
  rc: RequestContext,
  trace: TraceContext,
  telemetry: TelemetrySettings,
  method: string,
  status: number,
): Promise<void> {
  const outcomes = await Promise.all(rc.outcomes);
  const { clock } = rc.deps;
  const body = requestSpans({
    trace,
    serviceName: telemetry.serviceName,
    requestId: rc.requestId,
    method,
    route: rc.route?.row.path,
    status,
    startMs: rc.startedWallAt,
    endMs: rc.startedWallAt + (clock.now() - rc.startedAt),
    outcomes,
    wallOf: (monotonicMs) => rc.startedWallAt + (monotonicMs - rc.startedAt),
  });
  await exportSpans(telemetry, body, rc.config.secrets, rc.deps.fetch);
}

/** A browser EventSource: `GET /stream` asking for `text/event-stream` (it always does; curl by default does not). */
function isEventSource(request: Request, rc: RequestContext): boolean {
  return (
    request.method === 'GET' &&
    rc.route?.row.queryTokenMethod === 'GET' &&
    (request.headers.get('accept') ?? '').includes('text/event-stream')
  );
}

/** 404 for a path that is not exactly a served route; 405 for a served path and another method. Thrown before any auth or handler. */
function notServed(request: Request, path: string, match: RouteMatch<Handler> | undefined): never {
  if (!match) throw new GatewayError(404, unknownRouteMessage(request.method, path), { code: 'unknown_route' });
  const allow = Object.keys(match.row.methods).join(', ');
  throw new GatewayError(405, `Method ${request.method} is not allowed on ${path}; use ${allow}.`, {
    code: 'method_not_allowed',
    headers: { allow },
  });
}

/**
 * Builds the gateway: router stages `before` (config, CORS preflight, auth) → route → `catch` (the one
 * error renderer) → `finally` (CORS headers, request id, the log line).
 */
export function createApp(deps: AppDeps = defaultDeps()) {
  const registry = new ToolRegistry();
  // Built once per config (so once per isolate in production; tests change env and get a new one).
  let built: { config: Config; env: Env; callModel: CallModel } | undefined;
  const callModelFor = (env: Env, config: Config): CallModel => {
    if (built?.config !== config || built.env !== env) {
      // The tokenizer's rank files are static assets, read by the first request that counts tokens.
      useRankFiles(assetRankFiles(env.ASSETS));
      built = { config, env, callModel: pipeline(deps, env, config, registry) };
    }
    return built.callModel;
  };
  const router = Router<IRequest, [RequestContext]>({
    before: [
      async (request, rc) => {
        rc.config = configFor(rc.env);
        const telemetry = rc.config.telemetry;
        rc.trace = traceFrom(request.headers.get('traceparent'), {
          exporting: telemetry !== undefined,
          sampleRatio: telemetry?.sampleRatio ?? 0,
          random: deps.random,
        });
        rc.callModel = timedUpstream(callModelFor(rc.env, rc.config), rc);
        rc.tools = registry;
        const answer = preflight(request, rc.config);
        if (answer) return answer;
        const url = new URL(request.url);
        const path = url.pathname;
        rc.log.route = path;
        // One match decides the handler and its guard; anything not exactly served ends here, before auth or handler.
        const match = matchRoute(ROUTES, path);
        const handler = match?.row.methods[request.method];
        if (!match || !handler) notServed(request, path, match);
        rc.route = match;
        rc.log.route = match.row.path;
        // Without ADMIN_TOKEN the admin API does not exist (404); with it, only the token opens it.
        if (match.row.auth === 'admin') await authorizeAdmin(request, rc.config.limits.adminToken);
        if (match.row.auth === 'key') {
          const allowQueryToken = match.row.queryTokenMethod === request.method;
          const key = presentedKey(request, url, allowQueryToken, match.row.keyHeader);
          // A managed key is checked against its own Durable Object, so a revocation holds on the next request everywhere.
          const managed =
            key && rc.env.LIMITS
              ? await lookupKey(
                  limitsDepsFor(rc.env, rc.config.limits, () => deps.clock.wallNow()),
                  key,
                )
              : null;
          rc.caller = managed ?? (await authenticate(key, rc.config));
          rc.log.caller = rc.caller.name ?? undefined;
          if (rc.caller.keyHash === null) assertAnonymousOriginAllowed(request, rc.config);
          // A key bound to origins is refused from any other page, on every route it can call.
          if (managed) checkKeyOrigin(managed.record, pageOrigin(request));
        }
        rc.handler = handler;
        return undefined;
      },
    ],
    catch: (error, request, rc) => {
      const failure = scrubError(asGatewayError(error, rc.requestId), rc.config?.secrets ?? []);
      if (failure.status >= 500 && failure.is('internal_error'))
        console.error(
          JSON.stringify({ request_id: rc.requestId, error: String(error), stack: error instanceof Error ? error.stack : undefined }),
        );
      rc.log.error_type = failure.type;
      rc.log.error_code = failure.code ?? undefined;
      if (!isEventSource(request, rc)) return renderError(failure, {}, rc.route?.row.errorBody);
      // Logged with its real status, although an EventSource gets it as a 200 event stream.
      rc.log.status = failure.status;
      return renderErrorEvent(failure);
    },
    finally: [
      (response: Response, request, rc) => {
        const out = withCors(response, request, rc.config);
        out.headers.set('x-request-id', rc.requestId);
        out.headers.set('server-timing', serverTiming(rc.deps.clock.now() - rc.startedAt, rc.upstreamMs));
        // Names the request's own span, so a caller can find the trace it started (W3C Trace Context level 2).
        if (rc.trace?.recorded) out.headers.set('traceresponse', traceparent(rc.trace, rc.trace.spanId));
        const status = rc.log.status ?? out.status;
        // The log line waits for every call's outcome: a stream's comes when its body ends. Then the request log gets it.
        rc.exec.waitUntil(
          Promise.all(rc.outcomes).then((outcomes) => enqueueLogLine(rc.env, writeLogLine(rc, request.method, status, outcomes))),
        );
        const telemetry = rc.config?.telemetry;
        if (telemetry && rc.trace?.recorded) rc.exec.waitUntil(exportTrace(rc, rc.trace, telemetry, request.method, status));
        return out;
      },
    ],
  });

  // The before stage has matched and authorised the request; the handler it chose runs here.
  router.all('*', (request: IRequest, rc: RequestContext) => rc.handler(request, rc));

  return {
    fetch(request: Request, env: Env, exec: ExecutionContext): Promise<Response> {
      const rc: RequestContext = {
        request,
        env,
        exec,
        deps,
        requestId: request.headers.get('cf-ray') ?? crypto.randomUUID(),
        startedAt: deps.clock.now(),
        startedWallAt: deps.clock.wallNow(),
        trace: undefined,
        // Read by the first `before` stage, so a bad variable is rendered as a config_error like any other error.
        config: undefined as never,
        caller: ANONYMOUS,
        route: undefined,
        handler: undefined as never,
        log: {},
        streamed: false,
        callModel: undefined as never,
        tools: undefined as never,
        outcomes: [],
        upstreamMs: 0,
      };
      return router.fetch(request, rc);
    },
  } satisfies ExportedHandler<Env>;
}
