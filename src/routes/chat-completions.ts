import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { startResumable, wantsResumable } from '../resumable/resumable-route.ts';
import { openAiSse } from '../stream/openai-sse.ts';
import { completeCall } from '../calls/complete-call.ts';
import { startCall } from '../calls/start-call.ts';
import { streamCall } from '../calls/stream-call.ts';
import { validateChatBody } from '../wire/openai-chat/request.ts';
import { parseToolsHeader, resolveServerTools } from '../tools/server-tools.ts';

/** `POST /v1/chat/completions`: OpenAI's wire format in and out, every request field forwarded. */
export async function chatCompletions(request: Request, rc: RequestContext): Promise<Response> {
  const body = validateChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  const stream = body.stream === true;
  // Opt-in: a stream whose call runs in a Durable Object of its own, which a client can reattach to (src/resumable/).
  if (stream && wantsResumable(request, rc)) return startResumable(request, rc, body);
  // Server tools on the OpenAI wire come by header, so the body stays exactly OpenAI's.
  const headers = request.headers;
  const iterations = headers.get('x-gateway-max-iterations');
  const serverTools = resolveServerTools(
    headers.has('x-gateway-tools') ? parseToolsHeader(headers.get('x-gateway-tools')) : undefined,
    iterations === null ? undefined : Number(iterations),
    body,
    rc.tools,
    rc.config.tools,
    'x-gateway-tools',
  );
  const started = await startCall(rc, body, { stream, trimByDefault: false, serverTools });
  if (stream) {
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    return streamCall(rc, started, openAiSse(options?.include_usage === true));
  }
  const { completion, headers: answerHeaders } = await completeCall(started);
  return Response.json(completion, { headers: answerHeaders });
}
