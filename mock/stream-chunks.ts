// Turns an Answer into the JSON payloads of an OpenAI chat completion stream
// (one string per `data:` frame, [DONE] excluded). Quirks of other providers
// are opt-in through the stream directive.
import type { Answer } from './answer.ts';
import type { StreamDirective } from './types.ts';

export interface ChunkContext {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  options: StreamDirective;
}

export function streamPayloads(answer: Answer, ctx: ChunkContext): string[] {
  const { options } = ctx;
  const head = { id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, system_fingerprint: 'fp_mock' };
  const roleEvery = options.role_every_chunk === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra?: Record<string, unknown>): string =>
    JSON.stringify({
      ...head,
      choices: [
        {
          index: 0,
          delta: roleEvery && !('role' in delta) ? { role: 'assistant', ...delta } : delta,
          logprobs: null,
          finish_reason: finish,
        },
      ],
      ...extra,
    });

  const out: string[] = [];
  // First delta mirrors the recordings: content "" for text, null for refusals and pure tool calls.
  if (answer.refusal) out.push(chunk({ role: 'assistant', content: null, refusal: '' }));
  else out.push(chunk({ role: 'assistant', content: answer.text === null ? null : '' }));

  const key = answer.refusal ? 'refusal' : 'content';
  for (const piece of answer.pieces) out.push(chunk({ [key]: piece }));

  const base = options.tool_index_base ?? 0;
  answer.toolCalls.forEach((call, i) => {
    const index = base + i;
    const whole = options.tool_calls_whole === true;
    const opening = { index, id: call.id, type: 'function', function: { name: call.name, arguments: whole ? call.arguments : '' } };
    out.push(chunk({ tool_calls: [opening] }));
    if (!whole) for (const fragment of call.fragments) out.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
  });

  const usageIn = ctx.includeUsage ? (options.usage_in ?? 'separate') : 'none';
  const finishDelta = roleEvery ? { role: 'assistant', content: '' } : {};
  if (usageIn === 'last_chunk') out.push(chunk(finishDelta, answer.finishReason, { usage: answer.usage }));
  else if (usageIn === 'x_groq')
    out.push(chunk(finishDelta, answer.finishReason, { x_groq: { id: ctx.id.replace('chatcmpl-', 'req_'), usage: answer.usage } }));
  else out.push(chunk(finishDelta, answer.finishReason));
  if (usageIn === 'separate') out.push(JSON.stringify({ ...head, choices: [], usage: answer.usage }));
  return out;
}
