import { GatewayError, invalidField } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import { parseEventId } from './event-id.ts';
import { RELAY } from './stream-relay.ts';

/**
 * Whether a /stream request is resumable: `x-gateway-resumable: true|false` (or `?resumable=true`, for
 * EventSource, which sends no headers), else the deployer's RESUMABLE_STREAMS. Anything else takes the plain path.
 */
export function wantsResumable(request: Request, rc: RequestContext): boolean {
  const asked = request.headers.get('x-gateway-resumable') ?? new URL(request.url).searchParams.get('resumable');
  if (asked === null) return rc.config.resumable.byDefault;
  if (asked !== 'true' && asked !== 'false')
    throw invalidField('x-gateway-resumable', 'Header x-gateway-resumable (or ?resumable=) must be "true" or "false".');
  return asked === 'true';
}

function namespace(rc: RequestContext): DurableObjectNamespace {
  const bound = rc.env.RESUMABLE as DurableObjectNamespace | undefined;
  if (!bound)
    throw new GatewayError(501, 'Resumable streams need the RESUMABLE Durable Object binding (wrangler.toml).', { code: 'config_error' });
  return bound;
}

/** Who may attach: the key's hash (never the key); anonymous callers share one owner (their stream ids are unguessable). */
const ownerOf = (rc: RequestContext) => rc.caller.keyHash ?? 'anonymous';

const notFound = (id: string) =>
  new GatewayError(404, `No stream ${id} for this key (it may have ended and been forgotten).`, { code: 'stream_not_found' });

/** A request to a stream's object on behalf of the caller. */
async function relay(
  rc: RequestContext,
  id: string,
  op: string,
  init: RequestInit = {},
  extra: Record<string, string> = {},
): Promise<Response> {
  const ns = namespace(rc);
  const headers = new Headers(init.headers);
  headers.set(RELAY.op, op);
  headers.set(RELAY.owner, ownerOf(rc));
  headers.set(RELAY.id, id);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  // `?resumable=` is this layer's: the stream route inside the object would refuse it as an unknown parameter.
  const url = new URL(rc.request.url);
  url.searchParams.delete('resumable');
  return ns.get(ns.idFromName(id)).fetch(new Request(url, { ...init, headers }));
}

/**
 * Starts a resumable stream: the request (its key included, so the object's gateway authenticates and
 * budgets the one upstream call exactly as this one would) runs in a new object named by a fresh id.
 * Any SSE route can start one (/stream, streamed /v1/chat/completions); `GET /stream/:id` attaches to either.
 * An EventSource reconnecting to the URL that started it (`Last-Event-ID: <id>:<n>`) attaches instead.
 */
export async function startResumable(request: Request, rc: RequestContext, readBody?: unknown): Promise<Response> {
  const last = parseEventId(request.headers.get('last-event-id') ?? '');
  if (last?.streamId) return attach(rc, last.streamId, last.after);
  const id = crypto.randomUUID();
  rc.log.stream_id = id;
  rc.log.stream_op = 'start';
  const answer = await relay(
    rc,
    id,
    'start',
    // A route that had to read the body first (to see `stream: true`) hands it over; /stream passes its request's on.
    {
      method: request.method,
      headers: request.headers,
      ...(readBody !== undefined ? { body: JSON.stringify(readBody) } : request.body ? { body: request.body } : {}),
    },
    // The object's gateway logs under this request's id, so the one log line with the call's usage matches it.
    { [RELAY.settings]: JSON.stringify(rc.config.resumable), 'cf-ray': rc.requestId },
  );
  if (answer.status === 409) throw new GatewayError(500, 'Stream id collision; try again.', { code: 'internal_error' });
  rc.streamed = true;
  return relayed(answer);
}

/** `GET /stream/:id`: replays the events after `Last-Event-ID` (or `?after=`) and continues live. */
export function attachStream(request: Request, rc: RequestContext): Promise<Response> {
  const id = rc.route.params['id'] ?? '';
  const after = parseEventId(request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('after') ?? '0');
  if (!after)
    throw new GatewayError(400, 'Last-Event-ID or ?after= must be an event id or a sequence number.', {
      code: 'invalid_value',
      param: 'after',
    });
  return attach(rc, id, after.after);
}

async function attach(rc: RequestContext, id: string, after: number): Promise<Response> {
  rc.log.stream_id = id;
  rc.log.stream_op = 'attach';
  const answer = await relay(rc, id, 'attach', { method: 'GET' }, { [RELAY.after]: String(after) });
  if (answer.status === 404) throw notFound(id);
  if (answer.status === 410) {
    const first = answer.headers.get(RELAY.firstKept);
    throw new GatewayError(
      410,
      `Stream ${id} no longer keeps the events after ${after}: the oldest it keeps is ${first} (RESUMABLE_MAX_KEPT_BYTES). Reattach with an id from ${Number(first) - 1} on, or start the request again.`,
      { code: 'stream_events_expired', param: 'after' },
    );
  }
  rc.streamed = true;
  return relayed(answer);
}

/** A Durable Object's response with headers the router's finally stage may set (CORS, request id). */
const relayed = (answer: Response) => new Response(answer.body, answer);

/** `DELETE /stream/:id`: cancels the model call at once; attached clients get the stream's end. */
export async function cancelStream(_request: Request, rc: RequestContext): Promise<Response> {
  const id = rc.route.params['id'] ?? '';
  rc.log.stream_id = id;
  rc.log.stream_op = 'cancel';
  const answer = await relay(rc, id, 'cancel', { method: 'POST' });
  if (answer.status === 404) throw notFound(id);
  return Response.json({ id, object: 'stream', cancelled: true });
}
