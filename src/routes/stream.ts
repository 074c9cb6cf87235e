import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { startResumable, wantsResumable } from '../resumable/resumable-route.ts';
import { gatewaySse } from '../stream/gateway-sse.ts';
import { resolveServerTools } from '../tools/server-tools.ts';
import { startCall } from '../calls/start-call.ts';
import { streamCall } from '../calls/stream-call.ts';
import { simpleChatBody, simpleChatQuery } from '../wire/gateway/simple-input.ts';

/** `POST /stream` and `GET /stream?prompt=…` (for EventSource): the gateway's own SSE events, server tool steps included. */
export async function stream(request: Request, rc: RequestContext): Promise<Response> {
  // Opt-in: the call runs in a Durable Object of its own, which a client can reattach to (src/resumable/).
  if (wantsResumable(request, rc)) return startResumable(request, rc);
  const input =
    request.method === 'GET'
      ? simpleChatQuery(new URL(request.url))
      : simpleChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  const serverTools = resolveServerTools(input.toolNames, input.maxIterations, input.body, rc.tools, rc.config.tools);
  return streamCall(rc, await startCall(rc, input.body, { stream: true, trimByDefault: true, serverTools }), gatewaySse());
}
