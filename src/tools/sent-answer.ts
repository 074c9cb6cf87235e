import type { ChatCompletion, ChatCompletionChunk, Usage } from '../core/types.ts';
import { ChunkAccumulator } from '../stream/accumulate.ts';
import { TOOLS_FIELD, type ToolLoopReport } from './loop-report.ts';

type Head = Pick<ChatCompletionChunk, 'id' | 'created' | 'model'>;

/**
 * What a tool loop's client has been sent: one answer across every step, under the first chunk's id, created and
 * model. Content passes as it comes; tool-call deltas, finish reasons and usage are held back for the loop's end.
 */
export class SentAnswer {
  readonly #folded = new ChunkAccumulator();
  #head: Head | undefined;
  #started = false;

  /** Whether anything was sent yet. */
  get started(): boolean {
    return this.#started;
  }

  /** The head every chunk carries: the first chunk's, or `completion`'s when no chunk came. */
  headOr(completion: ChatCompletion): Head {
    return this.#head ?? { id: completion.id, created: completion.created, model: completion.model };
  }

  /** The part of a step's chunk the client sees now (recorded as sent), or undefined when nothing is left of it. */
  pass(chunk: ChatCompletionChunk): ChatCompletionChunk | undefined {
    this.#head ??= { id: chunk.id, created: chunk.created, model: chunk.model };
    const choices: ChatCompletionChunk.Choice[] = [];
    for (const choice of chunk.choices) {
      const { tool_calls: _heldUntilTheStepEnds, ...delta } = choice.delta;
      const hasText =
        (typeof delta.content === 'string' && delta.content !== '') || (typeof delta.refusal === 'string' && delta.refusal !== '');
      // The role opens the answer once; later steps would only repeat it.
      const opens = !this.#started && delta.role !== undefined;
      if (!hasText && !opens && !choice.logprobs) continue;
      choices.push({ ...choice, delta, finish_reason: null });
    }
    if (choices.length === 0) return undefined;
    const { usage: _summedAtTheEnd, ...rest } = chunk;
    const relayed: ChatCompletionChunk = { ...rest, ...this.#head, choices };
    this.#started = true;
    this.#folded.add(relayed);
    return relayed;
  }

  /**
   * Records a step answered whole (a non-stream request's) as sent: each choice's text in one piece, as a
   * replayed stream would have passed it (tool calls, reasoning and logprobs held back the same way).
   */
  take(completion: ChatCompletion): void {
    const { id, created, model, system_fingerprint } = completion;
    this.pass({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      ...(system_fingerprint ? { system_fingerprint } : {}),
      choices: completion.choices.map(({ index, message }) => ({
        index,
        delta: { role: 'assistant', content: message.content, ...(message.refusal ? { refusal: message.refusal } : {}) },
        finish_reason: null,
      })),
    });
  }

  /** Records the chunks that end the answer as sent. */
  end(chunks: readonly ChatCompletionChunk[]): void {
    for (const c of chunks) this.#folded.add(c);
    this.#started = true;
  }

  /** Everything sent, folded into one completion, with the loop's summed usage and its report. */
  completion(usage: Usage | undefined, report: ToolLoopReport): ChatCompletion {
    const completion = this.#folded.result();
    if (usage) completion.usage = usage;
    return Object.assign(completion, { [TOOLS_FIELD]: report });
  }
}
