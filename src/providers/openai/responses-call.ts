// A Responses API request passed through to OpenAI natively: the client's own body (model replaced), the provider's
// own answer kept verbatim beside its translation to chat completions.
import type { NativeEvent } from '../../core/events.ts';
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import { chunkBatches } from '../chunk-batches.ts';
import { type RequestTemplate, statusError } from '../request-template.ts';
import type { Target } from '../target.ts';
import { isEventStream, upstreamJson } from '../upstream-body.ts';
import { fromUpstreamBody, toGatewayError } from '../upstream-error.ts';
import type { ChunkBatch, UpstreamAnswer, UpstreamCall } from '../wire.ts';
import { completionOfResponse, ResponsesStreamTranslator } from './from-responses.ts';
import { openAiFailure } from './sdk-failure.ts';

/**
 * Whether a target takes a Responses request as it came: OpenAI itself, and Azure OpenAI (its v1 Responses API, where
 * `model` names the deployment). Other OpenAI-wire providers have none, or not OpenAI's.
 */
export const speaksResponses = (target: Target): boolean =>
  (target.provider.spec.name === 'openai' && target.provider.spec.wire === 'openai') || target.provider.spec.wire === 'azure';

// Azure's chat URL is `{endpoint}/openai/deployments/{name}/chat/completions?api-version=…`; its Responses API is the
// resource's v1 API, `{endpoint}/openai/v1/responses`, no deployment in the path and no api-version.
const AZURE_DEPLOYMENT = /\/openai\/deployments\/[^/]+\/chat\/completions(\?.*)?$/;

/** The Responses URL for the SDK's chat URL: `…/responses` beside `…/chat/completions`, or Azure's v1 path; same headers (key, SDK headers). */
function responsesUrl(template: RequestTemplate, target: Target): string {
  if (target.provider.spec.wire === 'azure') return template.url.replace(AZURE_DEPLOYMENT, '/openai/v1/responses');
  return template.url.replace(/\/chat\/completions(?=$|\?)/, '/responses');
}

/**
 * `max_output_tokens` lowered to what the gateway fitted the call to (the model's output limit, the context left),
 * as the translated path sends it; nothing when the client's fits.
 */
function clampedLimit(call: UpstreamCall, request: JsonObject): JsonObject {
  const asked = request['max_output_tokens'];
  const fitted = call.body['max_completion_tokens'] ?? call.body['max_tokens'];
  return typeof asked === 'number' && typeof fitted === 'number' && fitted < asked ? { max_output_tokens: fitted } : {};
}

/** A failed Response's error (`response.failed`, an `error` event) as the error the gateway reports. */
const failedWith = (error: unknown, target: Target) =>
  fromUpstreamBody(502, { error: isJsonObject(error) ? error : { message: String(error) } }, undefined, target);

/**
 * One attempt with the client's Responses body: its answer as chat completions (for usage, cost, the log line) with
 * OpenAI's own answer alongside (`native`): the Response object, or each stream event as it was sent. A non-OK status
 * throws the SDK's error for it (`statusError`), as the chat path does; the caller maps what is thrown.
 */
export async function callResponses(call: UpstreamCall, request: JsonObject, template: RequestTemplate): Promise<UpstreamAnswer> {
  const { target } = call;
  const body = JSON.stringify({ ...request, model: target.model, ...clampedLimit(call, request) });
  const response = await call.fetch(responsesUrl(template, target), { ...template.init, body, signal: call.signal });
  if (!response.ok) throw await statusError(response);
  if (isEventStream(response, call.stream))
    return { kind: 'stream', chunks: streamChunks(response.body, target, call.signal), headers: response.headers };
  const parsed = upstreamJson(await response.text(), target, 'a response');
  if (!isJsonObject(parsed)) throw fromUpstreamBody(502, parsed, undefined, target);
  if (parsed['status'] === 'failed') throw failedWith(parsed['error'], target);
  return { kind: 'completion', completion: completionOfResponse(parsed, target.model), headers: response.headers, native: parsed };
}

/** The stream's events translated to chunks, each kept verbatim for its batch; an error or a failed response throws. */
function streamChunks(body: ReadableStream<Uint8Array>, target: Target, signal: AbortSignal): AsyncIterableIterator<ChunkBatch> {
  const translator = new ResponsesStreamTranslator(target.model);
  let kept: NativeEvent[] = [];
  return chunkBatches(body, target, {
    chunksOf: (event) => {
      if (event.comment !== undefined || event.data === '' || event.data === '[DONE]') return [];
      const json = upstreamJson(event.data, target, 'a stream event');
      if (!isJsonObject(json)) return [];
      const type = event.event ?? String(json['type']);
      if (type === 'error') throw failedWith(isJsonObject(json['error']) ? json['error'] : json, target);
      if (type === 'response.failed') throw failedWith(isJsonObject(json['response']) ? json['response']['error'] : null, target);
      kept.push({ event: type, data: event.data, json });
      return translator.push(json);
    },
    finished: () => translator.finished,
    toError: (error) => toGatewayError(error, target, signal, openAiFailure),
    takeNative: () => {
      const out = kept;
      kept = [];
      return out;
    },
  });
}
