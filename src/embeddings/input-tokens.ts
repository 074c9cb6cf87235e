import { tokenizerFor } from '../tokens/encodings.ts';
import type { EmbeddingInput } from '../wire/openai-embeddings/request.ts';

/**
 * The tokens of an embeddings request's inputs for a model: texts by the model's tokenizer (an estimate where it
 * is not OpenAI's), token ids one each. What a budget reserves before the call, and the usage of an upstream that
 * reported none.
 * @example inputTokens('openai/text-embedding-3-small', ['hello world', [1, 2, 3]]) // { tokens: 5, estimated: true }
 */
export function inputTokens(model: string, inputs: readonly EmbeddingInput[]): { tokens: number; estimated: boolean } {
  const tokenizer = tokenizerFor(model);
  let tokens = 0;
  for (const input of inputs) tokens += typeof input === 'string' ? tokenizer.count(input) : input.length;
  return { tokens, estimated: tokenizer.estimated };
}
