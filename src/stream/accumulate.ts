import type { ChatCompletion, ChatCompletionChunk, CompletionUsage } from '../core/types.ts';

interface ToolCallParts {
  id: string;
  name: string;
  arguments: string;
  extra?: unknown;
}
interface ChoiceParts {
  content: string | null;
  /** Reasoning text some providers stream beside the content (DeepSeek, Mistral, Anthropic thinking). */
  reasoning: string | null;
  /** Anthropic thinking blocks with their signatures: they must go back unchanged in the next turn. */
  thinking: unknown[];
  refusal: string | null;
  toolCalls: ToolCallParts[];
  finishReason: ChatCompletion.Choice['finish_reason'] | null;
  logprobs: ChatCompletion.Choice.Logprobs | null;
}

/**
 * Folds normalised chunks into the `ChatCompletion` they add up to: content and refusal joined, tool
 * calls gathered by index with their argument fragments joined, finish reasons and usage kept.
 * Pure: the non-stream answer, the cache entry and the usage log all come from it.
 */
export class ChunkAccumulator {
  #first: ChatCompletionChunk | undefined;
  readonly #choices = new Map<number, ChoiceParts>();
  #usage: CompletionUsage | undefined;

  /** Adds one chunk. */
  add(chunk: ChatCompletionChunk): void {
    this.#first ??= chunk;
    if (chunk.usage) this.#usage = chunk.usage;
    for (const c of chunk.choices) {
      let parts = this.#choices.get(c.index);
      if (!parts) {
        parts = { content: null, reasoning: null, thinking: [], refusal: null, toolCalls: [], finishReason: null, logprobs: null };
        this.#choices.set(c.index, parts);
      }
      const d = c.delta as typeof c.delta & { reasoning_content?: unknown; thinking_blocks?: unknown };
      if (typeof d.content === 'string') parts.content = (parts.content ?? '') + d.content;
      if (typeof d.reasoning_content === 'string') parts.reasoning = (parts.reasoning ?? '') + d.reasoning_content;
      if (Array.isArray(d.thinking_blocks)) parts.thinking.push(...d.thinking_blocks);
      if (typeof d.refusal === 'string') parts.refusal = (parts.refusal ?? '') + d.refusal;
      for (const t of d.tool_calls ?? []) {
        let call = parts.toolCalls[t.index];
        if (!call) {
          call = { id: '', name: '', arguments: '' };
          parts.toolCalls[t.index] = call;
        }
        if (t.id) call.id = t.id;
        if (t.function?.name) call.name += t.function.name;
        if (t.function?.arguments) call.arguments += t.function.arguments;
        // Gemini's thought signatures ride on the tool call and must travel back unchanged.
        const extra = (t as { extra_content?: unknown }).extra_content;
        if (extra !== undefined) call.extra = extra;
      }
      if (c.finish_reason) parts.finishReason = c.finish_reason;
      if (c.logprobs) {
        parts.logprobs ??= { content: [], refusal: [] };
        parts.logprobs.content = [...(parts.logprobs.content ?? []), ...(c.logprobs.content ?? [])];
        parts.logprobs.refusal = [...(parts.logprobs.refusal ?? []), ...(c.logprobs.refusal ?? [])];
      }
    }
  }

  /** Whether any choice has reached its finish reason: a stream that ends before this was cut. */
  get finished(): boolean {
    for (const c of this.#choices.values()) if (c.finishReason) return true;
    return false;
  }

  get usage(): CompletionUsage | undefined {
    return this.#usage;
  }

  /** The completion so far. */
  result(): ChatCompletion {
    const first = this.#first;
    const choices = [...this.#choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, p]): ChatCompletion.Choice => {
        const message: ChatCompletion.Choice['message'] & { reasoning_content?: string; thinking_blocks?: unknown[] } = {
          role: 'assistant',
          content: p.content,
          refusal: p.refusal,
        };
        if (p.reasoning !== null) message.reasoning_content = p.reasoning;
        if (p.thinking.length > 0) message.thinking_blocks = p.thinking;
        const calls = p.toolCalls.filter(Boolean);
        if (calls.length > 0) {
          message.tool_calls = calls.map((t) => ({
            id: t.id,
            type: 'function',
            function: { name: t.name, arguments: t.arguments },
            ...(t.extra !== undefined ? { extra_content: t.extra } : {}),
          }));
        }
        return { index, message, finish_reason: p.finishReason ?? 'stop', logprobs: p.logprobs };
      });
    const completion: ChatCompletion = {
      id: first?.id ?? `chatcmpl-${crypto.randomUUID()}`,
      object: 'chat.completion',
      created: first?.created ?? Math.floor(Date.now() / 1000),
      model: first?.model ?? '',
      choices,
    };
    if (first?.system_fingerprint) completion.system_fingerprint = first.system_fingerprint;
    if (first?.service_tier) completion.service_tier = first.service_tier;
    if (this.#usage) completion.usage = this.#usage;
    return completion;
  }
}

/** Folds a whole list of chunks. */
export function accumulate(chunks: Iterable<ChatCompletionChunk>): ChatCompletion {
  const acc = new ChunkAccumulator();
  for (const c of chunks) acc.add(c);
  return acc.result();
}
