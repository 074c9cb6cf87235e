import { countCall } from '../calls/count-call.ts';
import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { locateModel } from '../providers/resolve-model.ts';
import { type DecodeOptions, decodeMessagesRequest, requestedModel } from '../wire/anthropic-messages/decode-request.ts';
import { encodeMessage } from '../wire/anthropic-messages/encode-message.ts';
import { messagesSse } from '../wire/anthropic-messages/stream-encoder.ts';
import { modelTraits } from '../calls/model-traits.ts';
import { completeCall } from '../calls/complete-call.ts';
import { startCall } from '../calls/start-call.ts';
import { streamCall } from '../calls/stream-call.ts';

/** What decoding needs to know of the model asked for: its wire, whether it reasons, its output-limit field. */
function decodeOptions(model: string, rc: RequestContext): DecodeOptions {
  const { wire, reasoning, maxTokensField } = modelTraits(model, rc.config);
  return { native: wire === 'anthropic', reasoning, maxTokensField };
}

/** `POST /v1/messages`: Anthropic's Messages API in and out, over the same pipeline as every other route, to any model. */
export async function messages(request: Request, rc: RequestContext): Promise<Response> {
  const input = await readJsonObject(request, rc.config.maxBodyBytes);
  const model = requestedModel(input);
  const options = decodeOptions(model, rc);
  const { body, stream, thinking } = decodeMessagesRequest(input, options);
  // To an Anthropic model, Anthropic's own answer goes back as it came (server tool blocks, citations); else the translation.
  const { native } = options;
  const started = await startCall(rc, body, { stream, trimByDefault: false, native });
  if (stream) return streamCall(rc, started, messagesSse({ model, thinking, native }));
  const { completion, headers, native: message } = await completeCall(started);
  if (message) return Response.json(message, { headers });
  // An upstream that reported no usage: the outcome holds the gateway's count (already settled by now).
  const usage = completion.usage ?? (await started.call.outcome).usage;
  return Response.json(encodeMessage(completion, { thinking, usage }), { headers });
}

/**
 * `POST /v1/messages/count_tokens` → `{"input_tokens": N}` for any model, by the gateway's tokenizer: no model
 * is called, so a provider without its key here still gets an answer.
 */
export async function messagesCountTokens(request: Request, rc: RequestContext): Promise<Response> {
  const input = await readJsonObject(request, rc.config.maxBodyBytes);
  const target = locateModel(requestedModel(input), rc.config);
  const { body } = decodeMessagesRequest(input, { native: false, reasoning: false, maxTokensField: 'max_tokens', counting: true });
  const tools = Array.isArray(body['tools']) ? body['tools'] : undefined;
  const count = await countCall(rc, target, body.messages, tools);
  return Response.json(
    { input_tokens: count.tokens },
    { headers: { ...count.headers, 'x-gateway-tokens-estimated': String(count.estimated) } },
  );
}
