import { ITERATION_DONE } from '../core/iteration.ts';
import type { ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import { scrubText } from '../core/scrub.ts';
import type { GatewayEvent, Stage } from './types.ts';

/**
 * Model output never carries a configured secret to the client: a model may repeat a key it was shown.
 * Whole answers, tool steps and every streamed piece are scrubbed as they are. A secret split across two
 * stream chunks can only come from a model that was shown it, so when the request itself contains a secret,
 * each choice also holds back a tail that could be the start of one (usually nothing); the held tail goes out
 * with the next chunk, the choice's finish chunk, or the last chunk.
 */
export function scrubStage(secrets: readonly string[]): Stage {
  const hold = Math.max(0, ...secrets.map((s) => s.length)) - 1;
  return (next) => (request) => {
    if (secrets.length === 0) return next(request);
    const call = next(request);
    // Only a stream needs to know whether the request showed the model a secret: a whole answer is scrubbed as it is.
    const holdFor = () => {
      const shown = JSON.stringify(request.body);
      return secrets.some((secret) => shown.includes(secret)) ? hold : 0;
    };
    return { ...call, answer: call.answer.then((answer) => ({ ...answer, events: scrubbed(answer.events, secrets, holdFor) })) };
  };
}

/** The length of the longest tail of `text` that is the beginning of some secret (0 when none is). */
function secretPrefixAtEnd(text: string, secrets: readonly string[], hold: number): number {
  for (let k = Math.min(hold, text.length); k > 0; k--) {
    const tail = text.slice(text.length - k);
    for (const secret of secrets) if (secret.startsWith(tail)) return k;
  }
  return 0;
}

function scrubCompletion(completion: ChatCompletion, secrets: readonly string[]): ChatCompletion {
  for (const choice of completion.choices) {
    const m = choice.message;
    if (m.content) m.content = scrubText(m.content, secrets);
    if (m.refusal) m.refusal = scrubText(m.refusal, secrets);
    for (const call of m.tool_calls ?? [])
      if (call.type === 'function') call.function.arguments = scrubText(call.function.arguments, secrets);
  }
  return completion;
}

/**
 * The events with every configured secret scrubbed out, and the held-back tails sent as one last chunk. A plain
 * iterator, not a generator: a stream's batch costs one promise here.
 */
function scrubbed(
  source: AsyncIterable<GatewayEvent>,
  secrets: readonly string[],
  holdFor: () => number,
): AsyncIterableIterator<GatewayEvent> {
  const iterator = source[Symbol.asyncIterator]();
  const pending = new Map<number, string>();
  let hold: number | undefined;
  let last: ChatCompletionChunk | undefined;
  let ended = false;

  const scrubChunks = (chunks: readonly ChatCompletionChunk[], holdLength: number): void => {
    for (const chunk of chunks) {
      last = chunk;
      for (const choice of chunk.choices) {
        const delta = choice.delta;
        for (const call of delta.tool_calls ?? [])
          if (call.function?.arguments) call.function.arguments = scrubText(call.function.arguments, secrets);
        if (typeof delta.refusal === 'string') delta.refusal = scrubText(delta.refusal, secrets);
        const held = pending.get(choice.index) ?? '';
        if (typeof delta.content !== 'string' && !choice.finish_reason) continue;
        const text = scrubText(held + (delta.content ?? ''), secrets);
        if (choice.finish_reason) {
          pending.delete(choice.index);
          if (text !== '' || typeof delta.content === 'string') delta.content = text;
          continue;
        }
        const cut = text.length - secretPrefixAtEnd(text, secrets, holdLength);
        delta.content = text.slice(0, cut);
        pending.set(choice.index, text.slice(cut));
      }
    }
  };

  const scrubEvent = (event: GatewayEvent): GatewayEvent => {
    switch (event.type) {
      case 'completion':
        return { type: 'completion', completion: scrubCompletion(event.completion, secrets) };
      case 'tool_call':
        return { ...event, arguments: scrubText(event.arguments, secrets) };
      case 'tool_result':
        return {
          ...event,
          ...(event.result !== undefined ? { result: scrubText(event.result, secrets) } : {}),
          ...(event.error !== undefined ? { error: scrubText(event.error, secrets) } : {}),
        };
      case 'chunks':
        hold ??= holdFor();
        scrubChunks(event.chunks, hold);
        return event;
      default:
        return event;
    }
  };

  /** What is still held back when the source ends, as one more chunk; undefined when nothing is. */
  const tail = (): GatewayEvent | undefined => {
    if (pending.size === 0 || !last) return undefined;
    const choices = [...pending]
      .filter(([, text]) => text !== '')
      .map(([index, text]) => ({ index, delta: { content: scrubText(text, secrets) }, finish_reason: null, logprobs: null }));
    return choices.length > 0 ? { type: 'chunks', chunks: [{ ...last, choices, usage: null } as ChatCompletionChunk] } : undefined;
  };

  const step = (result: IteratorResult<GatewayEvent>): IteratorResult<GatewayEvent> => {
    if (!result.done) return { done: false, value: scrubEvent(result.value) };
    ended = true;
    const rest = tail();
    return rest ? { done: false, value: rest } : ITERATION_DONE;
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => (ended ? Promise.resolve(ITERATION_DONE) : iterator.next().then(step)),
    return: () => {
      ended = true;
      return Promise.resolve(iterator.return?.()).then(() => ITERATION_DONE);
    },
  };
}
