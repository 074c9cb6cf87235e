// A decoded Responses request as a pipeline call: a stored conversation continued (`previous_response_id`), the
// answer encoded in the Responses wire, and kept for the caller's key unless `store` is false.
import type { JsonObject } from '../core/types.ts';
import { invalidField } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import { speaksResponses } from '../providers/openai/responses-call.ts';
import { locateModel } from '../providers/resolve-model.ts';
import { fitsStore, type ResponseStore, responseStore } from '../responses-store/response-store.ts';
import type { StoredEntry } from '../responses-store/stored-responses.ts';
import type { SseEncoder } from '../stream/sse-response.ts';
import { continuedBody, type DecodedResponses, outputMessages, requestedModel } from '../wire/openai-responses/decode-request.ts';
import { encodeResponse, type ResponseContext } from '../wire/openai-responses/encode-response.ts';
import { identifiedItems, newResponseId, previousResponseNotFound, replayedItems } from '../wire/openai-responses/stored.ts';
import { responsesSse } from '../wire/openai-responses/stream-encoder.ts';
import { completeCall } from './complete-call.ts';
import { startCall } from './start-call.ts';
import { streamCall } from './stream-call.ts';

/**
 * The caller's stored responses, or null for an anonymous caller: anonymous callers share no identity, so a
 * store of theirs would be everyone's; they store nothing (`store` is answered false).
 */
export function storeOf(rc: RequestContext): ResponseStore | null {
  const { keyHash } = rc.caller;
  if (keyHash === null) return null;
  return responseStore(rc.env.RESPONSES, keyHash, rc.config.responses, () => rc.deps.clock.wallNow());
}

/** The stored conversation `previous_response_id` continues: as chat messages, and as Responses items where it was kept so. */
interface History {
  readonly messages: readonly JsonObject[];
  readonly items: readonly JsonObject[] | null;
}

/** The stored response `previous_response_id` names, as the conversation it continues. */
async function history(store: ResponseStore | null, id: string): Promise<History> {
  if (!store)
    throw invalidField(
      'previous_response_id',
      'Anonymous calls keep no stored responses to continue: send a gateway key, or the whole conversation in `input`.',
    );
  const entry = await store.load(id);
  if (!entry) throw previousResponseNotFound(id);
  return {
    messages: JSON.parse(entry.messages) as JsonObject[],
    items: entry.items === null ? null : (JSON.parse(entry.items) as JsonObject[]),
  };
}

/**
 * The request OpenAI gets when one passes through: the client's, asked with `store: false` (the gateway keeps what is
 * kept, so a response is stored once, where its key can reach it), and a continuation's stored conversation in
 * `input` before its own in place of `previous_response_id` (an id OpenAI never stored). A client that asked
 * `store: true` may send back items by the ids of a store it believes OpenAI keeps: its items go as replayed ones
 * (`replayedItems`); a stateless client's go as it sent them.
 */
function passedThrough(request: JsonObject, decoded: DecodedResponses, earlier: History | null): JsonObject {
  const own = decoded.store ? replayedItems(decoded.inputItems) : decoded.inputItems;
  if (!earlier?.items) return { ...request, store: false, ...(decoded.store && Array.isArray(request['input']) ? { input: own } : {}) };
  const { previous_response_id: _continued, ...rest } = request;
  return { ...rest, store: false, input: [...replayedItems(earlier.items), ...own] };
}

/** A finished response and what keeping it takes: the answer as sent (`store` false when too large to keep), and its write. */
interface Kept {
  readonly response: JsonObject;
  readonly entry: StoredEntry | null;
}

/** The entry that stores a finished response, unless it is larger than RESPONSES_MAX_BYTES (then it is answered `store: false`). */
function keep(rc: RequestContext, decoded: DecodedResponses, earlier: History | null, response: JsonObject): Kept {
  const id = String(response['id']);
  const output = Array.isArray(response['output']) ? (response['output'] as JsonObject[]) : [];
  // A conversation continued from an entry kept without its items has none to keep either (it continues translated).
  const items = earlier && !earlier.items ? null : [...(earlier?.items ?? []), ...decoded.inputItems, ...output];
  const entry: StoredEntry = {
    id,
    response: JSON.stringify(response),
    messages: JSON.stringify([...(earlier?.messages ?? []), ...decoded.inputMessages, ...outputMessages(output)]),
    input: JSON.stringify(identifiedItems(decoded.inputItems, id)),
    items: items && JSON.stringify(items),
  };
  if (fitsStore(entry, rc.config.responses)) return { response, entry };
  return { response: { ...response, store: false }, entry: null };
}

/** Writes a stored response; a failed write is logged, never the client's failure (the answer is already paid for). */
function save(rc: RequestContext, store: ResponseStore, entry: StoredEntry): Promise<void> {
  return store.save(entry).catch((error: unknown) => {
    console.error(JSON.stringify({ request_id: rc.requestId, error: `storing response ${entry.id} failed: ${String(error)}` }));
  });
}

/**
 * A stream whose closing events wait for the response to be stored, so a client that retrieves or continues it
 * on `response.completed` finds it. Only the end waits: every event before the one that settles (stores) the
 * response goes out as it comes; that one and what follows are held until the write is done.
 */
function storedStream(
  rc: RequestContext,
  store: ResponseStore,
  settle: (response: JsonObject) => Kept,
  inner: (settle: (response: JsonObject) => JsonObject) => SseEncoder,
) {
  let saved: Promise<void> | null = null;
  let held = '';
  const encoder = inner((response) => {
    const kept = settle(response);
    saved = kept.entry ? save(rc, store, kept.entry) : Promise.resolve();
    rc.exec.waitUntil(saved);
    return kept.response;
  });
  /** Frames as they come until the response is settled, then held. */
  const holding =
    <A extends unknown[]>(frames: (...args: A) => string) =>
    (...args: A): string => {
      const out = frames(...args);
      if (saved === null) return out;
      held += out;
      return '';
    };
  const holdEnd = new TransformStream<Uint8Array, Uint8Array>({
    async flush(controller) {
      await saved;
      if (held !== '') controller.enqueue(new TextEncoder().encode(held));
    },
  });
  const wrapped: SseEncoder = {
    ...encoder,
    chunk: holding(encoder.chunk),
    step: holding(encoder.step),
    end: holding(encoder.end),
    error: holding(encoder.error),
    ...(encoder.keepAlive ? { keepAlive: holding(encoder.keepAlive) } : {}),
    ...(encoder.native ? { native: holding(encoder.native) } : {}),
  };
  return { encoder: wrapped, holdEnd };
}

/**
 * Calls the model for a decoded Responses request and answers in the Responses wire, streamed or whole. The
 * response is stored for the caller's key unless `store` is false (or the caller is anonymous), and
 * `previous_response_id` continues a stored one: its conversation, then this input, go to the model. To OpenAI the
 * request passes through (`passedThrough`) and its answer comes back as OpenAI sent it, but for `store` and
 * `previous_response_id`, which say what the gateway did; the gateway stores it as it stores a translated one.
 */
export async function responsesCall(
  rc: RequestContext,
  decoded: DecodedResponses,
  request: JsonObject,
  store: ResponseStore | null,
): Promise<Response> {
  const model = requestedModel(request);
  const previousResponseId = decoded.previousResponseId;
  const earlier = previousResponseId ? await history(store, previousResponseId) : null;
  const body = earlier ? continuedBody(decoded, earlier.messages) : decoded.body;
  const storing = decoded.store && store !== null;
  const context: ResponseContext = {
    echo: decoded.echo,
    customTools: decoded.customTools,
    model,
    createdAt: Math.floor(rc.deps.clock.wallNow() / 1000),
    id: newResponseId(),
    store: storing,
    previousResponseId,
  };
  // To OpenAI the request itself goes, unless it continues a response kept before its items were (that one is
  // translated, from its chat messages). Every other provider is the translation's.
  const native = (!earlier || earlier.items !== null) && speaksResponses(locateModel(model, rc.config));
  const started = await startCall(rc, body, {
    stream: decoded.stream,
    trimByDefault: decoded.truncate,
    ...(native ? { native, responsesRequest: passedThrough(request, decoded, earlier) } : {}),
  });
  // OpenAI's answer says it kept nothing and continued nothing (it was asked so): the answer says what the gateway did.
  const said = (response: JsonObject): JsonObject =>
    storing || previousResponseId ? { ...response, store: storing, previous_response_id: previousResponseId } : response;
  const settle = (response: JsonObject) => keep(rc, decoded, earlier, said(response));
  const encoder = (settled: (response: JsonObject) => JsonObject) => responsesSse(context, settled, native);
  if (decoded.stream) {
    if (!storing || !store) return streamCall(rc, started, encoder(said));
    const stored = storedStream(rc, store, settle, encoder);
    const answer = await streamCall(rc, started, stored.encoder);
    return new Response(answer.body?.pipeThrough(stored.holdEnd) ?? null, answer);
  }
  const { completion, headers, native: answered } = await completeCall(started);
  // An upstream that reported no usage: the outcome holds the gateway's count (already settled by now).
  const response = answered ?? encodeResponse(completion, context, completion.usage ?? (await started.call.outcome).usage);
  if (!storing || !store) return Response.json(said(response), { headers });
  // Stored before the answer goes out, so a retrieve or a continuation right after it finds the response.
  const kept = settle(response);
  if (kept.entry) await save(rc, store, kept.entry);
  return Response.json(kept.response, { headers });
}
