// Fitting a conversation into a token budget by dropping its oldest whole turns.
import { isJsonObject } from '../core/types.ts';
import { GatewayError } from '../errors.ts';

export interface TrimOptions {
  /** Prompt tokens the trimmed conversation may use (the context window less the output reserved). */
  readonly budget: number;
  /**
   * Prompt tokens of a message list. It must be additive: a constant (reply priming, tools) plus one
   * amount per message, as `countChatTokens` is; each message is then counted once.
   */
  readonly count: (messages: readonly unknown[]) => number;
}

export interface Trimmed {
  readonly messages: readonly unknown[];
  /** How many messages were dropped. */
  readonly dropped: number;
}

const role = (message: unknown): unknown => (isJsonObject(message) ? message['role'] : undefined);
const pinned = (message: unknown): boolean => role(message) === 'system' || role(message) === 'developer';

/**
 * Keeps the system and developer messages and the newest turns that fit in `budget`, dropping the oldest
 * whole turns. A turn starts at a user message and runs to the next one, so an assistant message with
 * `tool_calls` and the `tool` results that answer it are always dropped or kept together.
 * Throws 400 `context_length_exceeded` when even the newest turn does not fit.
 * @example trimToFit(messages, { budget: 8_000, count: (m) => countChatTokens('openai/gpt-4o', m).tokens })
 */
export function trimToFit(messages: readonly unknown[], { budget, count }: TrimOptions): Trimmed {
  const base = count([]);
  const cost = (message: unknown) => count([message]) - base;
  const turns = turnsOf(messages);
  let total = base;
  for (const message of messages) if (pinned(message)) total += cost(message);
  const pinnedTotal = total;
  if (turns.length === 0 && total > budget) throw tooLong(pinnedTotal, 0, budget);
  // Newest turn first: keep turns while they fit; the first that does not fit ends the kept part.
  let firstKept = turns.length;
  for (let t = turns.length - 1; t >= 0; t--) {
    const turn = turns[t] ?? [];
    const turnTokens = turn.reduce((sum, i) => sum + cost(messages[i]), 0);
    if (total + turnTokens > budget) {
      if (t === turns.length - 1) throw tooLong(pinnedTotal, turnTokens, budget);
      break;
    }
    total += turnTokens;
    firstKept = t;
  }
  if (firstKept === 0) return { messages, dropped: 0 };
  const droppedIndexes = new Set(turns.slice(0, firstKept).flat());
  return { messages: messages.filter((_, i) => !droppedIndexes.has(i)), dropped: droppedIndexes.size };
}

/** Indexes of the non-pinned messages, grouped into turns; anything before the first user message is a turn of its own. */
function turnsOf(messages: readonly unknown[]): number[][] {
  const turns: number[][] = [];
  for (const [i, message] of messages.entries()) {
    if (pinned(message)) continue;
    const current = turns.at(-1);
    if (role(message) === 'user' || !current) turns.push([i]);
    else current.push(i);
  }
  return turns;
}

function tooLong(pinnedTokens: number, newestTurn: number, budget: number): GatewayError {
  return new GatewayError(
    400,
    `This model's context cannot hold the request: the system/developer messages (with the reply's priming and any tools) take ${pinnedTokens} tokens and the newest turn ${newestTurn} more, ${pinnedTokens + newestTurn} in all, but ${budget} tokens are left for the prompt once the output is reserved. Shorten the newest message or ask for fewer output tokens.`,
    { code: 'context_length_exceeded', param: 'messages' },
  );
}
