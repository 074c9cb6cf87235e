import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { openAiSse } from '../stream/openai-sse.ts';
import { completionOf, gatewayHeaders, startModelCall, streamModelCall } from './call-model.ts';
import { validateChatBody } from './validate.ts';

/** `POST /v1/chat/completions`: OpenAI's wire format in and out, every request field forwarded. */
export async function chatCompletions(request: Request, rc: RequestContext): Promise<Response> {
  const body = validateChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  const stream = body.stream === true;
  if (stream) {
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    return streamModelCall(rc, body, openAiSse(options?.include_usage === true));
  }
  const result = await startModelCall(rc, body, false).result;
  return Response.json(await completionOf(rc, result), { headers: gatewayHeaders(rc, result) });
}
