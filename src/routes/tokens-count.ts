import { countCall } from '../calls/count-call.ts';
import { invalidField } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { maxOutputTokens } from '../providers/model-catalog.ts';
import { locateModel } from '../providers/resolve-model.ts';
import { modelLimits } from '../tokens/prices.ts';
import { onlyFields } from '../wire/gateway/fields.ts';
import { validateChatBody } from '../wire/openai-chat/request.ts';

/**
 * `POST /v1/tokens/count` `{ model?, messages, tools? }` → `{ tokens, estimated, context_window, max_output_tokens }`:
 * what a conversation costs in prompt tokens before it is sent, so a frontend can show a meter. No model is called.
 */
export async function tokensCount(request: Request, rc: RequestContext): Promise<Response> {
  const input = await readJsonObject(request, rc.config.maxBodyBytes);
  onlyFields(input, ['model', 'messages', 'tools']);
  const body = validateChatBody(input);
  // Counting needs no provider: a model whose provider has no key is counted all the same.
  const target = locateModel(body.model, rc.config);
  const tools = Array.isArray(body['tools']) ? body['tools'] : undefined;
  if (body.messages.length > 10_000) throw invalidField('messages', 'At most 10000 messages can be counted at once.');
  const count = await countCall(rc, target, body.messages, tools);
  const limits = modelLimits(target.id, rc.config.tokens.prices);
  return Response.json(
    {
      model: target.id,
      tokens: count.tokens,
      estimated: count.estimated,
      context_window: limits.contextWindow ?? null,
      max_output_tokens: limits.maxOutputTokens ?? maxOutputTokens(target.model) ?? null,
    },
    { headers: count.headers },
  );
}
