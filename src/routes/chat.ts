import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { completeCall } from '../calls/complete-call.ts';
import { startCall } from '../calls/start-call.ts';
import { simpleChatBody } from '../wire/gateway/simple-input.ts';
import { resolveServerTools } from '../tools/server-tools.ts';

/** `POST /chat`: the simple input, one JSON answer `{ content, model, finish_reason, usage, tool_calls? }`. */
export async function chat(request: Request, rc: RequestContext): Promise<Response> {
  const input = simpleChatBody(await readJsonObject(request, rc.config.maxBodyBytes));
  const serverTools = resolveServerTools(input.toolNames, input.maxIterations, input.body, rc.tools, rc.config.tools);
  const {
    answer,
    completion,
    headers: answerHeaders,
  } = await completeCall(await startCall(rc, input.body, { stream: false, trimByDefault: true, serverTools }));
  const choice = completion.choices[0];
  const message = choice?.message;
  return Response.json(
    {
      content: message?.content ?? null,
      ...(message?.refusal ? { refusal: message.refusal } : {}),
      model: answer.target.id,
      finish_reason: choice?.finish_reason ?? 'stop',
      usage: completion.usage ?? null,
      ...(message?.tool_calls?.length ? { tool_calls: message.tool_calls } : {}),
    },
    { headers: answerHeaders },
  );
}
