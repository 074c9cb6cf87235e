import type { ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { Usage } from '../gateway/types.ts';
import { TOOLS_FIELD, type ToolLoopReport } from './loop-report.ts';
import type { ToolCall } from './run-tool-calls.ts';

/** What ends a tool loop's answer. */
export interface LoopEnd {
  /** The id, created and model every chunk of the answer carries. */
  readonly head: Pick<ChatCompletionChunk, 'id' | 'created' | 'model'>;
  /** The last step's whole answer: its choices give the finish reasons. */
  readonly last: ChatCompletion;
  /** The client's own tool calls, sent whole. */
  readonly clientCalls: readonly ToolCall[];
  /** The loop's finish reason when it decided (a bound, client tool calls), else the model's. */
  readonly reason: 'length' | 'tool_calls' | undefined;
  readonly report: ToolLoopReport;
  /** The summed usage, sent as a usage chunk only when the upstream sent one (some clients break on a chunk without choices). */
  readonly usage: Usage | undefined;
}

/** The chunks that end a tool loop's answer: the client's tool calls (numbered from 0), the finish with the report, the usage. */
export function finishChunks(end: LoopEnd): ChatCompletionChunk[] {
  const base = { ...end.head, object: 'chat.completion.chunk' as const };
  const calls: ChatCompletionChunk[] =
    end.clientCalls.length === 0
      ? []
      : [
          {
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  tool_calls: end.clientCalls.map((c, index) => ({
                    index,
                    id: c.id,
                    type: 'function' as const,
                    function: { name: c.name, arguments: c.arguments },
                  })),
                },
                finish_reason: null,
                logprobs: null,
              },
            ],
          },
        ];
  const finish: ChatCompletionChunk = {
    ...base,
    choices: end.last.choices.map((c) => ({ index: c.index, delta: {}, finish_reason: end.reason ?? c.finish_reason, logprobs: null })),
  };
  Object.assign(finish, { [TOOLS_FIELD]: end.report });
  return [...calls, finish, ...(end.usage ? [{ ...base, choices: [], usage: end.usage }] : [])];
}

/** The function calls of the first choice (the loop serves one choice), arguments as the model wrote them. */
export function toolCallsOf(completion: ChatCompletion): ToolCall[] {
  return (completion.choices[0]?.message.tool_calls ?? []).flatMap((c) =>
    c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : [],
  );
}
