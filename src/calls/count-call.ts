import type { RequestContext } from '../http/context.ts';
import { admitRequest } from '../limits/admit-request.ts';
import { rateLimitHeaders } from '../limits/limit-headers.ts';
import { limitsDepsFor } from '../limits/limits-deps.ts';
import type { Target } from '../providers/target.ts';
import { countChatTokens, exactAllowance } from '../tokens/count-chat.ts';

/** A counted prompt: its tokens, whether the count is an estimate, and the rate-limit headers of the request. */
export interface Counted {
  readonly tokens: number;
  readonly estimated: boolean;
  readonly headers: Record<string, string>;
}

/**
 * Counts a conversation's prompt tokens for a model by the gateway's tokenizer; no model is called. Counting is real
 * work: it is rate-limited like a model call, and done only once the key may call at all.
 */
export async function countCall(
  rc: RequestContext,
  target: Target,
  messages: readonly unknown[],
  tools: readonly unknown[] | undefined,
): Promise<Counted> {
  const limited = await admitRequest(
    rc.caller,
    limitsDepsFor(rc.env, rc.config.limits, () => rc.deps.clock.wallNow()),
  );
  const headers = rateLimitHeaders(limited.requests, limited.tokens);
  const count = await countChatTokens(target.id, messages, tools, exactAllowance(rc.config.tokens.exactMaxChars));
  return { tokens: count.tokens, estimated: count.estimated, headers };
}
