import { Router, type IRequest } from 'itty-router';
import { SingleFlight } from './cache/single-flight.ts';
import { configFor } from './config/config.ts';
import { sleep } from './core/abort.ts';
import { Cooldown } from './core/cooldown.ts';
import { authenticate, presentedKey } from './http/auth.ts';
import type { AppDeps, RequestContext } from './http/context.ts';
import { preflight, withCors } from './http/cors.ts';
import { GatewayError } from './errors.ts';
import { writeLogLine } from './http/log-line.ts';
import { renderError, renderErrorEvent } from './http/render-error.ts';
import { asGatewayError } from './errors.ts';
import { chat } from './routes/chat.ts';
import { chatCompletions } from './routes/chat-completions.ts';
import { extract } from './routes/extract.ts';
import { health } from './routes/health.ts';
import { models } from './routes/models.ts';
import { stream } from './routes/stream.ts';

type Handler = (request: Request, rc: RequestContext) => Response | Promise<Response>;

/** The route table: path → method → handler. 404 and 405 are derived from it. */
const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Handler>>> = {
  '/health': { GET: health },
  '/v1/models': { GET: models },
  '/v1/chat/completions': { POST: chatCompletions },
  '/chat': { POST: chat },
  '/stream': { GET: stream, POST: stream },
  '/extract': { POST: extract },
};
const PUBLIC_PATHS = new Set(['/health']);
/** EventSource cannot send headers, so this route alone accepts `?access_token=`. */
const QUERY_TOKEN_PATHS = new Set(['/stream']);

/** Said on a 404 under /v1/: clients that default to the Responses API (`@ai-sdk/openai`'s `openai(model)`) need telling. */
const OPENAI_ROUTES_HINT = ' This gateway serves OpenAI\'s Chat Completions API (POST /v1/chat/completions, GET /v1/models), not the Responses API: with @ai-sdk/openai use openai.chat(model).';

/** A browser EventSource: `GET /stream` asking for `text/event-stream` (it always does; curl by default does not). */
function isEventSource(request: Request): boolean {
  return request.method === 'GET' && QUERY_TOKEN_PATHS.has(new URL(request.url).pathname) && (request.headers.get('accept') ?? '').includes('text/event-stream');
}

/** The production dependencies; one cooldown memory per isolate. */
function defaultDeps(): AppDeps {
  const now = () => performance.now();
  return {
    fetch: (input, init) => fetch(input, init),
    now,
    wallNow: () => Date.now(),
    sleep,
    random: Math.random,
    cooldown: new Cooldown(now, (line) => console.log(JSON.stringify(line))),
    singleFlight: new SingleFlight(),
  };
}

/**
 * Builds the gateway: router stages `before` (config, CORS preflight, auth) → route → `catch` (the one
 * error renderer) → `finally` (CORS headers, request id, the log line).
 */
export function createApp(deps: AppDeps = defaultDeps()) {
  const router = Router<IRequest, [RequestContext]>({
    before: [
      async (request, rc) => {
        rc.config = configFor(rc.env);
        const answer = preflight(request, rc.config);
        if (answer) return answer;
        const url = new URL(request.url);
        const path = url.pathname;
        rc.log.route = path;
        if (request.method === 'OPTIONS' || PUBLIC_PATHS.has(path) || !ROUTES[path]) return undefined;
        rc.caller = await authenticate(presentedKey(request, url, QUERY_TOKEN_PATHS.has(path)), rc.config);
        return undefined;
      },
    ],
    catch: (error, request, rc) => {
      const failure = asGatewayError(error, rc.requestId);
      if (failure.status >= 500 && failure.is('internal_error')) console.error(JSON.stringify({ request_id: rc.requestId, error: String(error), stack: error instanceof Error ? error.stack : undefined }));
      rc.log.error_type = failure.type;
      rc.log.error_code = failure.code ?? undefined;
      if (!isEventSource(request)) return renderError(failure);
      // Logged with its real status, although an EventSource gets it as a 200 event stream.
      rc.log.status = failure.status;
      return renderErrorEvent(failure);
    },
    finally: [
      (response: Response, request, rc) => {
        const out = withCors(response, request, rc.config);
        out.headers.set('x-request-id', rc.requestId);
        const status = rc.log.status ?? out.status;
        if (rc.streamEnded) rc.exec.waitUntil(rc.streamEnded.then(() => writeLogLine(rc, request.method, status)));
        else writeLogLine(rc, request.method, status);
        return out;
      },
    ],
  });

  for (const [path, methods] of Object.entries(ROUTES)) {
    if (methods.GET) router.get(path, methods.GET);
    if (methods.POST) router.post(path, methods.POST);
  }
  router.all('*', (request: IRequest) => {
    const path = new URL(request.url).pathname;
    const methods = ROUTES[path];
    if (!methods) throw new GatewayError(404, `Unknown route ${request.method} ${path}.${path.startsWith('/v1/') ? OPENAI_ROUTES_HINT : ''}`, { code: 'unknown_route' });
    const allow = Object.keys(methods).join(', ');
    throw new GatewayError(405, `Method ${request.method} is not allowed on ${path}; use ${allow}.`, { code: 'method_not_allowed', headers: { allow } });
  });

  return {
    fetch(request: Request, env: Env, exec: ExecutionContext): Promise<Response> {
      const rc: RequestContext = {
        request,
        env,
        exec,
        deps,
        requestId: request.headers.get('cf-ray') ?? crypto.randomUUID(),
        startedAt: deps.now(),
        // Read by the first `before` stage, so a bad variable is rendered as a config_error like any other error.
        config: undefined as never,
        caller: { keyHash: null },
        log: {},
        streamEnded: undefined,
        cache: undefined,
      };
      return router.fetch(request, rc);
    },
  } satisfies ExportedHandler<Env>;
}
