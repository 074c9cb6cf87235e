import type { ChatBody } from '../core/types.ts';
import { invalidField } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import type { Target } from '../providers/target.ts';
import { chatTokenCounter, exactAllowance } from '../tokens/count-chat.ts';
import { applyMaxTokens, maxTokensField } from '../tokens/max-tokens.ts';
import { modelLimits } from '../tokens/prices.ts';
import { trimToFit } from '../tokens/trim.ts';

/** `x-gateway-trim`: `auto` or `off`; a route's default otherwise. */
function trimMode(headers: Headers, byDefault: boolean): boolean {
  const asked = headers.get('x-gateway-trim');
  if (asked === null) return byDefault;
  if (asked !== 'auto' && asked !== 'off') throw invalidField('x-gateway-trim', 'Header x-gateway-trim must be "auto" or "off".');
  return asked === 'auto';
}

/**
 * The body with the deployer's output ceilings applied (DEFAULT_MAX_TOKENS, MAX_TOKENS_CEILING) and, when
 * trimming is on, its oldest whole turns dropped until prompt + output fit the model's context window.
 * What changed is said in `headers`. Only a conversation long enough to need counting loads the tokenizer.
 */
export async function fitBody(
  rc: RequestContext,
  body: ChatBody,
  target: Target,
  trimByDefault: boolean,
  headers: Record<string, string>,
): Promise<ChatBody> {
  const { tokens } = rc.config;
  const field = maxTokensField(target.model);
  const limited = applyMaxTokens(body, field, {
    ...(tokens.defaultMaxTokens ? { defaultMaxTokens: tokens.defaultMaxTokens } : {}),
    ...(tokens.maxTokensCeiling ? { ceiling: tokens.maxTokensCeiling } : {}),
  });
  if (limited.clampedFrom !== undefined)
    headers['x-gateway-max-tokens-clamped'] = `${limited.clampedFrom}; to=${tokens.maxTokensCeiling}; reason=ceiling`;
  if (!trimMode(rc.request.headers, trimByDefault)) return limited.body;
  const limits = modelLimits(target.id, tokens.prices);
  if (!limits.contextWindow) return limited.body;
  const asked = limited.body['max_tokens'] ?? limited.body['max_completion_tokens'];
  const output = typeof asked === 'number' ? asked : (limits.maxOutputTokens ?? 0);
  const budget = limits.contextWindow - output;
  const messages = limited.body.messages;
  // A token is at least one character: a conversation shorter than the budget in characters fits without counting.
  if (JSON.stringify(messages).length + 8 * messages.length < budget) return limited.body;
  const tools = Array.isArray(limited.body['tools']) ? limited.body['tools'] : undefined;
  // An allowance per count: trimming counts the tools again with every message, which must not use up a shared one.
  const counter = await chatTokenCounter(target.id);
  const count = (list: readonly unknown[]) => counter(list, tools, exactAllowance(tokens.exactMaxChars)).tokens;
  const trimmed = trimToFit(messages, { budget, count });
  if (trimmed.dropped === 0) return limited.body;
  headers['x-gateway-trimmed-messages'] = String(trimmed.dropped);
  return { ...limited.body, messages: [...trimmed.messages] };
}
