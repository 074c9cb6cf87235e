import type { ChatCompletion, ChatCompletionMessageParam } from '../core/types.ts';
import type { GatewayEvent } from '../gateway/types.ts';
import type { ToolRegistry } from './registry.ts';
import { startToolCalls, type ToolCall, type ToolResult, type ToolRunContext } from './run-tool-calls.ts';

/**
 * One server step of the tool loop: a `tool_call` event per server call, the calls run in parallel, each
 * `tool_result` emitted as it lands. Returns the messages the step adds to the conversation: the assistant's, with
 * every tool call it made (the client's too), then one `tool` message per server call, in the model's order; and
 * each call's result (its timing, for the trace).
 */
export async function* runServerStep(
  completion: ChatCompletion,
  all: readonly ToolCall[],
  server: readonly ToolCall[],
  registry: ToolRegistry,
  context: ToolRunContext,
): AsyncGenerator<GatewayEvent, { messages: ChatCompletionMessageParam[]; results: ToolResult[] }> {
  for (const c of server) yield { type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments };
  const waiting = new Map(startToolCalls(server, registry, context).map((p, i) => [i, p.then((result) => ({ i, result }))]));
  const results: ToolResult[] = [];
  while (waiting.size > 0) {
    const { i, result } = await Promise.race(waiting.values());
    waiting.delete(i);
    results[i] = result;
    yield {
      type: 'tool_result',
      id: result.id,
      name: result.name,
      ...(result.error === undefined ? { result: result.result ?? '' } : { error: result.error }),
      ms: result.ms,
    };
  }
  const message = completion.choices[0]?.message;
  const messages: ChatCompletionMessageParam[] = [
    {
      role: 'assistant',
      content: message?.content ?? null,
      tool_calls: all.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
    },
    ...results.map((r): ChatCompletionMessageParam => ({ role: 'tool', tool_call_id: r.id, content: r.content })),
  ];
  return { messages, results };
}
