// The non-streaming `chat.completion` object, field order as OpenAI sends it.
import type { Answer } from './answer.ts';

export function completionBody(answer: Answer, model: string, id: string, created: number): object {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: answer.refusal ? null : answer.text,
    refusal: answer.refusal ? answer.text : null,
  };
  if (answer.toolCalls.length > 0) {
    message['tool_calls'] = answer.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: answer.usage,
  };
}
