import { type IRequest, Router } from 'itty-router';
import { authorizeAdmin } from './admin/admin-auth.ts';
import { defaultDeps, pipeline } from './composition.ts';
import { pageOrigin } from './core/page-origin.ts';
import type { Config } from './config/config.ts';
import { configFor } from './config/config.ts';
import { asGatewayError, GatewayError } from './errors.ts';
import type { CallModel, Caller } from './gateway/types.ts';
import { ANONYMOUS, authenticate, presentedKey } from './http/auth.ts';
import type { AppDeps, Handler, RequestContext, RequestStart } from './http/context.ts';
import { assertAnonymousOriginAllowed, preflight, withCors } from './http/cors.ts';
import { writeLogLine } from './http/log-line.ts';
import { serverTiming } from './http/server-timing.ts';
import { enqueueLogLine } from './request-log/enqueue.ts';
import { traceFrom, traceparent, type TraceContext } from './core/trace-context.ts';
import type { TelemetrySettings } from './config/telemetry-settings.ts';
import { exportSpans } from './telemetry/export.ts';
import { requestSpans } from './telemetry/otlp-spans.ts';
import { renderError, renderErrorEvent } from './http/render-error.ts';
import { matchRoute, type RouteMatch } from './http/route-match.ts';
import { ROUTES } from './routes/table.ts';
import { scrubError } from './core/scrub.ts';
import { unknownRouteMessage } from './http/unknown-route.ts';
import { limitsDepsFor } from './limits/limits-deps.ts';
import { checkKeyOrigin } from './limits/check-access.ts';
import { lookupKey, type ManagedCaller } from './limits/lookup-key.ts';
import { assetRankFiles } from './tokens/asset-rank-files.ts';
import { useRankFiles } from './tokens/encodings.ts';
import { ToolRegistry } from './tools/registry.ts';

/** The pipeline, noting for Server-Timing how long each call's upstream attempts took to start answering. */
function timedUpstream(callModel: CallModel, start: RequestStart): CallModel {
  return (request) => {
    const call = callModel(request);
    const note = (attempts: readonly { ms: number }[]) => {
      start.upstreamMs += attempts.reduce((sum, a) => sum + a.ms, 0);
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
  start: RequestStart,
  trace: TraceContext,
  config: Config,
  telemetry: TelemetrySettings,
  method: string,
  status: number,
): Promise<void> {
  const outcomes = await Promise.all(start.outcomes);
  const { clock } = start.deps;
  const body = requestSpans({
    trace,
    serviceName: telemetry.serviceName,
    requestId: start.requestId,
    method,
    route: start.route?.row.path,
    status,
    startMs: start.startedWallAt,
    endMs: start.startedWallAt + (clock.now() - start.startedAt),
    outcomes,
    wallOf: (monotonicMs) => start.startedWallAt + (monotonicMs - start.startedAt),
  });
  await exportSpans(telemetry, body, config.secrets, start.deps.fetch);
}

/** A browser EventSource: `GET /stream` asking for `text/event-stream` (it always does; curl by default does not). */
function isEventSource(request: Request, start: RequestStart): boolean {
  return (
    request.method === 'GET' &&
    start.route?.row.queryTokenMethod === 'GET' &&
    (request.headers.get('accept') ?? '').includes('text/event-stream')
  );
}

// The `before` stages, in the order they run. Each answers, throws (rendered by `catch`) or hands on what it learnt.

/** 1. Read inside the router, so a bad variable is rendered as a config_error like any other error. */
function readConfig(start: RequestStart): Config {
  start.config = configFor(start.env);
  return start.config;
}

/** 2. With the config, which says whether spans are exported (and so whether a trace is recorded). */
function startTrace(request: Request, start: RequestStart, config: Config): TraceContext | undefined {
  const telemetry = config.telemetry;
  start.trace = traceFrom(request.headers.get('traceparent'), {
    exporting: telemetry !== undefined,
    sampleRatio: telemetry?.sampleRatio ?? 0,
    random: start.deps.random,
  });
  return start.trace;
}

// 3. `preflight` (http/cors.ts): before routing and auth, since a browser's CORS preflight carries no key.

/** 4. Before any auth: a path not served is a 404 and a method not served a 405, whoever asks. */
function servedRoute(request: Request, start: RequestStart, path: string): { route: RouteMatch<Handler>; handler: Handler } {
  start.log.route = path;
  // One match decides the handler and its guard.
  const route = matchRoute(ROUTES, path);
  const handler = route?.row.methods[request.method];
  if (!route) throw new GatewayError(404, unknownRouteMessage(request.method, path), { code: 'unknown_route' });
  if (!handler) {
    const allow = Object.keys(route.row.methods).join(', ');
    throw new GatewayError(405, `Method ${request.method} is not allowed on ${path}; use ${allow}.`, {
      code: 'method_not_allowed',
      headers: { allow },
    });
  }
  start.route = route;
  start.log.route = route.row.path;
  return { route, handler };
}

/** 5. Without ADMIN_TOKEN the admin API does not exist (404); with it, only the token opens it. */
async function authorizeAdminRoute(request: Request, route: RouteMatch<Handler>, config: Config): Promise<void> {
  if (route.row.auth === 'admin') await authorizeAdmin(request, config.limits.adminToken);
}

/** 6. Who calls a key route. A managed key is checked against its own Durable Object, so a revocation holds on the next request everywhere. */
async function identifyCaller(
  request: Request,
  url: URL,
  start: RequestStart,
  route: RouteMatch<Handler>,
  config: Config,
): Promise<{ caller: Caller; managed: ManagedCaller | null }> {
  if (route.row.auth !== 'key') return { caller: ANONYMOUS, managed: null };
  const key = presentedKey(request, url, route.row.queryTokenMethod === request.method, route.row.keyHeader);
  const limits = () => limitsDepsFor(start.env, config.limits, () => start.deps.clock.wallNow());
  const managed = key && start.env.LIMITS ? await lookupKey(limits(), key) : null;
  const caller = managed ?? (await authenticate(key, config));
  start.log.caller = caller.name ?? undefined;
  return { caller, managed };
}

/** 7. Where the caller may call from: anonymous callers from the allowed origins, a key bound to origins from those alone (on every route it can call). */
function checkOrigin(request: Request, route: RouteMatch<Handler>, caller: Caller, managed: ManagedCaller | null, config: Config): void {
  if (route.row.auth !== 'key') return;
  if (caller.keyHash === null) assertAnonymousOriginAllowed(request, config);
  if (managed) checkKeyOrigin(managed.record, pageOrigin(request));
}

/**
 * Builds the gateway: the `before` stages above, in order → the route's handler → `catch` (the one error
 * renderer) → `finally` (CORS headers, request id, Server-Timing, the log line, the trace export).
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

  /** Runs the `before` stages; the context handed to the handler is complete when it is made (the same object as `start`, so `finally` sees what the route writes). */
  const serve = async (request: Request, start: RequestStart): Promise<Response> => {
    const config = readConfig(start);
    const trace = startTrace(request, start, config);
    const preflightAnswer = preflight(request, config);
    if (preflightAnswer) return preflightAnswer;
    const url = new URL(request.url);
    const { route, handler } = servedRoute(request, start, url.pathname);
    await authorizeAdminRoute(request, route, config);
    const { caller, managed } = await identifyCaller(request, url, start, route, config);
    checkOrigin(request, route, caller, managed, config);
    const rc: RequestContext = Object.assign(start, {
      config,
      trace,
      route,
      caller,
      callModel: timedUpstream(callModelFor(start.env, config), start),
      tools: registry,
    });
    return handler(request, rc);
  };

  const router = Router<IRequest, [RequestStart]>({
    catch: (error, request, start) => {
      const failure = scrubError(asGatewayError(error, start.requestId), start.config?.secrets ?? []);
      if (failure.status >= 500 && failure.is('internal_error'))
        console.error(
          JSON.stringify({ request_id: start.requestId, error: String(error), stack: error instanceof Error ? error.stack : undefined }),
        );
      start.log.error_type = failure.type;
      start.log.error_code = failure.code ?? undefined;
      if (!isEventSource(request, start)) return renderError(failure, {}, start.route?.row.errorBody);
      // Logged with its real status, although an EventSource gets it as a 200 event stream.
      start.log.status = failure.status;
      return renderErrorEvent(failure);
    },
    finally: [
      (response: Response, request, start) => {
        const out = withCors(response, request, start.config);
        out.headers.set('x-request-id', start.requestId);
        out.headers.set('server-timing', serverTiming(start.deps.clock.now() - start.startedAt, start.upstreamMs));
        // Names the request's own span, so a caller can find the trace it started (W3C Trace Context level 2).
        if (start.trace?.recorded) out.headers.set('traceresponse', traceparent(start.trace, start.trace.spanId));
        const status = start.log.status ?? out.status;
        // The log line waits for every call's outcome: a stream's comes when its body ends. Then the request log gets it.
        start.exec.waitUntil(
          Promise.all(start.outcomes).then((outcomes) => enqueueLogLine(start.env, writeLogLine(start, request.method, status, outcomes))),
        );
        const { config, trace } = start;
        if (config?.telemetry && trace?.recorded)
          start.exec.waitUntil(exportTrace(start, trace, config, config.telemetry, request.method, status));
        return out;
      },
    ],
  });

  router.all('*', serve);

  return {
    fetch(request: Request, env: Env, exec: ExecutionContext): Promise<Response> {
      const start: RequestStart = {
        request,
        env,
        exec,
        deps,
        requestId: request.headers.get('cf-ray') ?? crypto.randomUUID(),
        startedAt: deps.clock.now(),
        startedWallAt: deps.clock.wallNow(),
        log: {},
        outcomes: [],
        upstreamMs: 0,
        streamed: false,
      };
      return router.fetch(request, start);
    },
  } satisfies ExportedHandler<Env>;
}
