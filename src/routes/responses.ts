import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { locateModel } from '../providers/resolve-model.ts';
import { maxTokensField } from '../tokens/max-tokens.ts';
import { type DecodeOptions, decodeResponsesRequest, requestedModel } from '../wire/openai-responses/decode-request.ts';
import { encodeResponse, type ResponseContext } from '../wire/openai-responses/encode-response.ts';
import { responsesSse } from '../wire/openai-responses/stream-encoder.ts';
import { completeCall, startCall, streamCall } from './model-call.ts';

/** What decoding needs to know of the model asked for: whether it reasons, its output-limit field. */
function decodeOptions(model: string, rc: RequestContext): DecodeOptions {
  const field = maxTokensField(locateModel(model, rc.config).model);
  return { reasoning: field === 'max_completion_tokens', maxTokensField: field };
}

/**
 * `POST /v1/responses`: OpenAI's Responses API in and out, translated to the one pipeline for every model.
 * Nothing is stored (`store` is answered false), so `previous_response_id` is refused.
 */
export async function responses(request: Request, rc: RequestContext): Promise<Response> {
  const input = await readJsonObject(request, rc.config.maxBodyBytes);
  const model = requestedModel(input);
  const { body, stream, truncate, customTools, echo } = decodeResponsesRequest(input, decodeOptions(model, rc));
  const context: ResponseContext = { echo, customTools, model, createdAt: Math.floor(rc.deps.clock.wallNow() / 1000) };
  const started = await startCall(rc, body, { stream, trimByDefault: truncate });
  if (stream) return streamCall(rc, started, responsesSse(context));
  const { completion, headers } = await completeCall(started);
  // An upstream that reported no usage: the outcome holds the gateway's count (already settled by now).
  const usage = completion.usage ?? (await started.call.outcome).usage;
  return Response.json(encodeResponse(completion, context, usage), { headers });
}
