import type { ChatCompletion, ChatCompletionChunk } from '../core/types.ts';

/** Splits text into word-sized pieces (spaces kept), so a replayed answer streams like a live one. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/**
 * Turns a stored completion back into the chunk stream a live upstream would have sent: a role
 * chunk, content (or refusal) in several pieces, each tool call whole, a finish chunk, then usage.
 * This is how a cached answer, or a non-stream upstream answer, serves a stream request.
 */
export function replay(completion: ChatCompletion): ChatCompletionChunk[] {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const extra = completion.system_fingerprint ? { system_fingerprint: completion.system_fingerprint } : {};
  const chunk = (choices: ChatCompletionChunk.Choice[]): ChatCompletionChunk => ({ ...base, ...extra, choices });
  const out: ChatCompletionChunk[] = [];
  for (const choice of completion.choices) {
    const { index, message } = choice;
    out.push(chunk([{ index, delta: { role: 'assistant', content: message.content === null ? null : '' }, finish_reason: null }]));
    for (const text of pieces(message.content ?? '')) out.push(chunk([{ index, delta: { content: text }, finish_reason: null }]));
    if (message.refusal) for (const text of pieces(message.refusal)) out.push(chunk([{ index, delta: { refusal: text }, finish_reason: null }]));
    (message.tool_calls ?? []).forEach((call, i) => {
      if (call.type !== 'function') return;
      out.push(chunk([{ index, delta: { tool_calls: [{ index: i, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }] }, finish_reason: null }]));
    });
    out.push(chunk([{ index, delta: {}, finish_reason: choice.finish_reason }]));
  }
  if (completion.usage) out.push({ ...chunk([]), usage: completion.usage });
  return out;
}
