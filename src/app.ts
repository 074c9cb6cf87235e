import { Router, type IRequest } from 'itty-router';
import { SingleFlight } from './cache/single-flight.ts';
import { configFor } from './config/config.ts';
import { cacheStage } from './gateway/cache-stage.ts';
import { attemptLoop } from './gateway/attempts.ts';
import { sleep, systemClock } from './gateway/clock.ts';
import { Cooldown } from './gateway/cooldown.ts';
import { compose } from './gateway/pipeline.ts';
import { usageStage } from './gateway/usage-stage.ts';
import { modelLimits } from './tokens/prices.ts';
import { scrubStage } from './gateway/scrub-stage.ts';
import type { CallModel, CallRequest, Stage } from './gateway/types.ts';
import type { Config } from './config/config.ts';
import { ToolRegistry } from './tools/registry.ts';
import { toolLoop } from './tools/tool-loop.ts';
import { ANONYMOUS, authenticate, presentedKey } from './http/auth.ts';
import type { AppDeps, Handler, RequestContext } from './http/context.ts';
import { assertAnonymousOriginAllowed, preflight, withCors } from './http/cors.ts';
import { scrubError } from './http/scrub.ts';
import { unknownRouteMessage } from './http/unknown-route.ts';
import { matchRoute, type RouteMatch, type RouteRow } from './http/route-match.ts';
import { GatewayError } from './errors.ts';
import { writeLogLine } from './http/log-line.ts';
import { renderError, renderErrorEvent } from './http/render-error.ts';
import { asGatewayError } from './errors.ts';
import { chat } from './routes/chat.ts';
import { chatCompletions } from './routes/chat-completions.ts';
import { extract } from './routes/extract.ts';
import { health } from './routes/health.ts';
import { model, models } from './routes/models.ts';
import { adminApi } from './admin/admin-api.ts';
import { authorizeAdmin } from './admin/admin-auth.ts';
import { budgetStage, hasLimits } from './limits/budget-stage.ts';
import type { LimitsDeps } from './limits/limits-deps.ts';
import { lookupKey } from './limits/lookup-key.ts';
import { usageResponse } from './limits/usage-response.ts';
import { worstCase } from './limits/worst-case.ts';
import { tokensCount } from './routes/tokens-count.ts';
import { stream } from './routes/stream.ts';

/** The route table: every served path, its handlers by method and its guard. Nothing else is served. */
const ROUTES: readonly RouteRow<Handler>[] = [
  { path: '/health', auth: 'public', methods: { GET: health } },
  { path: '/v1/models', auth: 'key', methods: { GET: models } },
  { path: '/v1/models/:id', auth: 'key', methods: { GET: model } },
  { path: '/v1/models/:provider/:id', auth: 'key', methods: { GET: model } },
  { path: '/v1/tokens/count', auth: 'key', methods: { POST: tokensCount } },
  { path: '/v1/chat/completions', auth: 'key', methods: { POST: chatCompletions } },
  { path: '/chat', auth: 'key', methods: { POST: chat } },
  // EventSource cannot send headers, so GET /stream alone accepts `?access_token=`.
  { path: '/stream', auth: 'key', methods: { GET: stream, POST: stream }, queryTokenMethod: 'GET' },
  { path: '/extract', auth: 'key', methods: { POST: extract } },
  { path: '/v1/usage', auth: 'key', methods: { GET: usage } },
  { path: '/admin/keys', auth: 'admin', methods: { GET: admin, POST: admin } },
  { path: '/admin/keys/:id', auth: 'admin', methods: { GET: admin, PATCH: admin, DELETE: admin } },
  { path: '/admin/keys/:id/usage', auth: 'admin', methods: { GET: admin } },
];

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

/** The production dependencies; one cooldown memory and one single-flight table per isolate. */
function defaultDeps(): AppDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    clock: systemClock,
    random: Math.random,
    cooldown: new Cooldown(systemClock.now, (line) => console.log(JSON.stringify(line))),
    singleFlight: new SingleFlight(),
  };
}

/** Output tokens a budget reserves for a request that bounds them nowhere (no max_tokens, no known model limit). */
const UNBOUNDED_OUTPUT_TOKENS = 4096;

/** What the limit checks need: one Durable Object per key, the limit settings, and wall-clock time. */
function limitsDeps(env: Env, config: Config): LimitsDeps {
  return { keys: env.LIMITS, settings: config.limits, now: Date.now };
}

/** The budget stage, for callers with limits: a static key with no KEY_* limit set costs no Durable Object round trip. */
function budgetFor(env: Env, config: Config): Stage {
  const deps = {
    ...limitsDeps(env, config),
    estimate: (request: CallRequest) =>
      worstCase(request, { overrides: config.tokens.prices, unboundedOutputTokens: UNBOUNDED_OUTPUT_TOKENS }),
  };
  return (next) => {
    const budgeted = budgetStage(deps)(next);
    return (request) => (hasLimits(request.caller, config.limits) ? budgeted(request) : next(request));
  };
}

/** `/admin/keys…`: the admin API (its guard ran in the before stage, from the same route row). */
function admin(request: Request, rc: RequestContext): Promise<Response> {
  return adminApi(request, { ...limitsDeps(rc.env, rc.config), index: rc.env.KEY_INDEX });
}

/** `GET /v1/usage`: the calling key's spend and what remains of its limits. */
function usage(_request: Request, rc: RequestContext): Promise<Response> {
  return usageResponse(rc.caller, limitsDeps(rc.env, rc.config));
}

/** The model-call pipeline: stages outermost first, around the attempt loop. */
function pipeline(deps: AppDeps, env: Env, config: Config, registry: ToolRegistry): CallModel {
  const log = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
  const { clock } = deps;
  const contextWindow = (id: string) => modelLimits(id, config.tokens.prices).contextWindow;
  return compose(attemptLoop({ ...deps, contextWindow }), [
    // Outermost: nothing a model says reaches the client with a configured secret in it.
    scrubStage(config.secrets),
    // Each model step of the tool loop goes through every stage below it: cache, budget, usage.
    toolLoop({
      registry,
      env,
      fetch: deps.fetch,
      now: clock.now,
      sleep: (ms, signal) => sleep(clock, ms, signal),
      timeoutMs: config.tools.timeoutMs,
      resultMaxBytes: config.tools.resultMaxBytes,
    }),
    // Reserve the worst case in the key's Durable Object before the call; settle from the outcome after it.
    ...(env.LIMITS ? [budgetFor(env, config)] : []),
    usageStage(config.tokens.prices),
    cacheStage({ kv: env.CACHE, singleFlight: deps.singleFlight, clock, log }),
  ]);
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
    if (built?.config !== config || built.env !== env) built = { config, env, callModel: pipeline(deps, env, config, registry) };
    return built.callModel;
  };
  const router = Router<IRequest, [RequestContext]>({
    before: [
      async (request, rc) => {
        rc.config = configFor(rc.env);
        rc.callModel = callModelFor(rc.env, rc.config);
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
          const key = presentedKey(request, url, allowQueryToken);
          // A managed key is checked against its own Durable Object, so a revocation holds on the next request everywhere.
          const managed = key && rc.env.LIMITS ? await lookupKey(limitsDeps(rc.env, rc.config), key) : null;
          rc.caller = managed ?? (await authenticate(key, rc.config));
          rc.log.caller = rc.caller.name ?? undefined;
          if (rc.caller.keyHash === null) assertAnonymousOriginAllowed(request, rc.config);
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
      if (!isEventSource(request, rc)) return renderError(failure);
      // Logged with its real status, although an EventSource gets it as a 200 event stream.
      rc.log.status = failure.status;
      return renderErrorEvent(failure);
    },
    finally: [
      (response: Response, request, rc) => {
        const out = withCors(response, request, rc.config);
        out.headers.set('x-request-id', rc.requestId);
        const status = rc.log.status ?? out.status;
        // The log line waits for every call's outcome: a stream's comes when its body ends.
        rc.exec.waitUntil(Promise.all(rc.outcomes).then((outcomes) => writeLogLine(rc, request.method, status, outcomes)));
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
        // Read by the first `before` stage, so a bad variable is rendered as a config_error like any other error.
        config: undefined as never,
        caller: ANONYMOUS,
        route: undefined,
        handler: undefined as never,
        log: {},
        streamEnded: undefined,
        callModel: undefined as never,
        tools: undefined as never,
        outcomes: [],
      };
      return router.fetch(request, rc);
    },
  } satisfies ExportedHandler<Env>;
}
