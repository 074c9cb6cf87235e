import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { gatewaySse } from '../stream/gateway-sse.ts';
import { startCall, streamCall } from './model-call.ts';
import { simpleChatBody, simpleChatQuery } from './simple-input.ts';

/** `POST /stream` and `GET /stream?prompt=…` (for EventSource): the gateway's own SSE events. */
export async function stream(request: Request, rc: RequestContext): Promise<Response> {
  const body = request.method === 'GET' ? simpleChatQuery(new URL(request.url)) : simpleChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  return streamCall(rc, startCall(rc, body, { stream: true }), gatewaySse());
}
