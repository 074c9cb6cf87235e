import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { callModel, completionOf, gatewayHeaders } from './call-model.ts';
import { simpleChatBody } from './simple-input.ts';

/** `POST /chat`: the simple input, one JSON answer `{ content, model, finish_reason, usage, tool_calls? }`. */
export async function chat(request: Request, rc: RequestContext): Promise<Response> {
  const body = simpleChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  const call = await callModel(rc, body, false);
  const completion = await completionOf(rc, call.result);
  const choice = completion.choices[0];
  const message = choice?.message;
  return Response.json(
    {
      content: message?.content ?? null,
      ...(message?.refusal ? { refusal: message.refusal } : {}),
      model: call.result.target.id,
      finish_reason: choice?.finish_reason ?? 'stop',
      usage: completion.usage ?? null,
      ...(message?.tool_calls?.length ? { tool_calls: message.tool_calls } : {}),
    },
    { headers: gatewayHeaders(call.result) },
  );
}
