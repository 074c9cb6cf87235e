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
import { identifiedItems, newResponseId, previousResponseNotFound } from '../wire/openai-responses/stored.ts';
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

/** The stored conversation `previous_response_id` continues. */
async function history(store: ResponseStore | null, id: string): Promise<JsonObject[]> {
  if (!store)
    throw invalidField(
      'previous_response_id',
      'Anonymous calls keep no stored responses to continue: send a gateway key, or the whole conversation in `input`.',
    );
  const entry = await store.load(id);
  if (!entry) throw previousResponseNotFound(id);
  return JSON.parse(entry.messages) as JsonObject[];
}

/** A finished response and what keeping it takes: the answer as sent (`store` false when too large to keep), and its write. */
interface Kept {
  readonly response: JsonObject;
  readonly entry: StoredEntry | null;
}

/** The entry that stores a finished response, unless it is larger than RESPONSES_MAX_BYTES (then it is answered `store: false`). */
function keep(rc: RequestContext, decoded: DecodedResponses, earlier: readonly JsonObject[], response: JsonObject): Kept {
  const id = String(response['id']);
  const entry: StoredEntry = {
    id,
    response: JSON.stringify(response),
    messages: JSON.stringify([...earlier, ...decoded.inputMessages, ...outputMessages(response['output'] as JsonObject[])]),
    input: JSON.stringify(identifiedItems(decoded.inputItems, id)),
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
 * on `response.completed` finds it. Only the end waits: every earlier event goes out as it comes.
 */
function storedStream(rc: RequestContext, store: ResponseStore, settle: (response: JsonObject) => Kept, context: ResponseContext) {
  let saved: Promise<void> = Promise.resolve();
  let endFrames = '';
  const inner = responsesSse(context, (response) => {
    const kept = settle(response);
    if (kept.entry) {
      saved = save(rc, store, kept.entry);
      rc.exec.waitUntil(saved);
    }
    return kept.response;
  });
  const encoder: SseEncoder = {
    ...inner,
    end: (end) => {
      endFrames = inner.end(end);
      return '';
    },
  };
  const holdEnd = new TransformStream<Uint8Array, Uint8Array>({
    async flush(controller) {
      await saved;
      if (endFrames !== '') controller.enqueue(new TextEncoder().encode(endFrames));
    },
  });
  return { encoder, holdEnd };
}

/**
 * Calls the model for a decoded Responses request and answers in the Responses wire, streamed or whole. The
 * response is stored for the caller's key unless `store` is false (or the caller is anonymous), and
 * `previous_response_id` continues a stored one: its conversation, then this input, go to the model. A stateless
 * request (`store: false`, nothing continued) to OpenAI passes through: `request` as the client sent it.
 */
export async function responsesCall(
  rc: RequestContext,
  decoded: DecodedResponses,
  request: JsonObject,
  store: ResponseStore | null,
): Promise<Response> {
  const model = requestedModel(request);
  const previousResponseId = decoded.previousResponseId;
  const earlier = previousResponseId ? await history(store, previousResponseId) : [];
  const body = previousResponseId ? continuedBody(decoded, earlier) : decoded.body;
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
  // Stateless (`store: false`, nothing continued) to OpenAI: the request itself goes there and its answer comes back as
  // OpenAI sent it. The gateway's stored responses, and every other provider, are the translation's.
  const native = !decoded.store && !previousResponseId && speaksResponses(locateModel(model, rc.config));
  const started = await startCall(rc, body, {
    stream: decoded.stream,
    trimByDefault: decoded.truncate,
    ...(native ? { native, responsesRequest: request } : {}),
  });
  const settle = (response: JsonObject) => keep(rc, decoded, earlier, response);
  if (decoded.stream) {
    if (!storing || !store) return streamCall(rc, started, responsesSse(context, undefined, native));
    const { encoder, holdEnd } = storedStream(rc, store, settle, context);
    const answer = await streamCall(rc, started, encoder);
    return new Response(answer.body?.pipeThrough(holdEnd) ?? null, answer);
  }
  const { completion, headers, native: answered } = await completeCall(started);
  if (answered) return Response.json(answered, { headers });
  // An upstream that reported no usage: the outcome holds the gateway's count (already settled by now).
  const usage = completion.usage ?? (await started.call.outcome).usage;
  const response = encodeResponse(completion, context, usage);
  if (!storing || !store) return Response.json(response, { headers });
  // Stored before the answer goes out, so a retrieve or a continuation right after it finds the response.
  const kept = settle(response);
  if (kept.entry) await save(rc, store, kept.entry);
  return Response.json(kept.response, { headers });
}
