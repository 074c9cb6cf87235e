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
    const { index } = choice;
    // Provider extensions the accumulator kept (reasoning, thinking blocks, Gemini's extra_content) go back out as they came.
    const message = choice.message as ChatCompletion.Choice['message'] & { reasoning_content?: string; thinking_blocks?: unknown[] };
    out.push(chunk([{ index, delta: { role: 'assistant', content: message.content === null ? null : '' }, finish_reason: null }]));
    if (message.reasoning_content)
      out.push(
        chunk([
          { index, delta: { reasoning_content: message.reasoning_content } as ChatCompletionChunk.Choice.Delta, finish_reason: null },
        ]),
      );
    if (message.thinking_blocks?.length)
      out.push(
        chunk([{ index, delta: { thinking_blocks: message.thinking_blocks } as ChatCompletionChunk.Choice.Delta, finish_reason: null }]),
      );
    for (const text of pieces(message.content ?? '')) out.push(chunk([{ index, delta: { content: text }, finish_reason: null }]));
    if (message.refusal)
      for (const text of pieces(message.refusal)) out.push(chunk([{ index, delta: { refusal: text }, finish_reason: null }]));
    (message.tool_calls ?? []).forEach((call, i) => {
      if (call.type !== 'function') return;
      const extraContent = (call as { extra_content?: unknown }).extra_content;
      const delta = {
        index: i,
        id: call.id,
        type: 'function' as const,
        function: { name: call.function.name, arguments: call.function.arguments },
        ...(extraContent === undefined ? {} : { extra_content: extraContent }),
      };
      out.push(chunk([{ index, delta: { tool_calls: [delta] }, finish_reason: null }]));
    });
    out.push(chunk([{ index, delta: {}, finish_reason: choice.finish_reason }]));
  }
  if (completion.usage) out.push({ ...chunk([]), usage: completion.usage });
  return out;
}
