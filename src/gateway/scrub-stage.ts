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

async function* scrubbed(
  source: AsyncIterable<GatewayEvent>,
  secrets: readonly string[],
  holdFor: () => number,
): AsyncGenerator<GatewayEvent> {
  const pending = new Map<number, string>();
  let hold: number | undefined;
  let last: ChatCompletionChunk | undefined;
  for await (const event of source) {
    if (event.type === 'completion') {
      yield { type: 'completion', completion: scrubCompletion(event.completion, secrets) };
      continue;
    }
    if (event.type === 'tool_call') {
      yield { ...event, arguments: scrubText(event.arguments, secrets) };
      continue;
    }
    if (event.type === 'tool_result') {
      yield {
        ...event,
        ...(event.result !== undefined ? { result: scrubText(event.result, secrets) } : {}),
        ...(event.error !== undefined ? { error: scrubText(event.error, secrets) } : {}),
      };
      continue;
    }
    if (event.type !== 'chunks') {
      yield event;
      continue;
    }
    hold ??= holdFor();
    for (const chunk of event.chunks) {
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
        const cut = text.length - secretPrefixAtEnd(text, secrets, hold);
        delta.content = text.slice(0, cut);
        pending.set(choice.index, text.slice(cut));
      }
    }
    yield event;
  }
  // A stream that ended without a finish chunk for some choice (cut, or a provider that never sends one): the tail still goes out.
  if (pending.size > 0 && last) {
    const choices = [...pending]
      .filter(([, text]) => text !== '')
      .map(([index, text]) => ({ index, delta: { content: scrubText(text, secrets) }, finish_reason: null, logprobs: null }));
    if (choices.length > 0) yield { type: 'chunks', chunks: [{ ...last, choices, usage: null } as ChatCompletionChunk] };
  }
}
