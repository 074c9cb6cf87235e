import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { locateModel } from '../providers/resolve-model.ts';
import { admitRequest } from '../limits/admit-request.ts';
import { rateLimitHeaders } from '../limits/limit-headers.ts';
import { limitsDepsFor } from '../limits/limits-deps.ts';
import { countChatTokens, exactAllowance } from '../tokens/count-chat.ts';
import { maxTokensField } from '../tokens/max-tokens.ts';
import { type DecodeOptions, decodeMessagesRequest, requestedModel } from '../wire/anthropic-messages/decode-request.ts';
import { encodeMessage } from '../wire/anthropic-messages/encode-message.ts';
import { messagesSse } from '../wire/anthropic-messages/stream-encoder.ts';
import { completeCall, startCall, streamCall } from './model-call.ts';

/** What decoding needs to know of the model asked for: its wire, whether it reasons, its output-limit field. */
function decodeOptions(model: string, rc: RequestContext): DecodeOptions {
  const target = locateModel(model, rc.config);
  const field = maxTokensField(target.model);
  return { native: target.provider.spec.wire === 'anthropic', reasoning: field === 'max_completion_tokens', maxTokensField: field };
}

/** `POST /v1/messages`: Anthropic's Messages API in and out, over the same pipeline as every other route, to any model. */
export async function messages(request: Request, rc: RequestContext): Promise<Response> {
  const input = await readJsonObject(request, rc.config.maxBodyBytes);
  const model = requestedModel(input);
  const { body, stream, thinking } = decodeMessagesRequest(input, decodeOptions(model, rc));
  const started = await startCall(rc, body, { stream, trimByDefault: false });
  if (stream) return streamCall(rc, started, messagesSse({ model, thinking }));
  const { completion, headers } = await completeCall(started);
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
  // Rate-limited like a model call, and counted only once the key may call at all (as POST /v1/tokens/count).
  const limited = await admitRequest(
    rc.caller,
    limitsDepsFor(rc.env, rc.config.limits, () => rc.deps.clock.wallNow()),
  );
  const headers = rateLimitHeaders(limited.requests, limited.tokens);
  const count = await countChatTokens(target.id, body.messages, tools, exactAllowance(rc.config.tokens.exactMaxChars));
  return Response.json({ input_tokens: count.tokens }, { headers: { ...headers, 'x-gateway-tokens-estimated': String(count.estimated) } });
}
