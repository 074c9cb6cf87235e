import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { openAiSse } from '../stream/openai-sse.ts';
import { callModel, completionOf, gatewayHeaders, streamResponse } from './call-model.ts';
import { validateChatBody } from './validate.ts';

/** `POST /v1/chat/completions`: OpenAI's wire format in and out, every request field forwarded. */
export async function chatCompletions(request: Request, rc: RequestContext): Promise<Response> {
  const body = validateChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  const stream = body.stream === true;
  const call = await callModel(rc, body, stream);
  if (stream) {
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    return streamResponse(rc, call, openAiSse(options?.include_usage === true));
  }
  const completion = await completionOf(rc, call.result);
  return Response.json(completion, { headers: gatewayHeaders(call.result) });
}
