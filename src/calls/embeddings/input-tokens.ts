import { loadTokenizer } from '../../tokens/encodings.ts';
import type { EmbeddingInput } from '../../wire/openai-embeddings/request.ts';

/**
 * The tokens of an embeddings request's inputs for a model: texts by the model's tokenizer (an estimate where it
 * is not OpenAI's), token ids one each. What a budget reserves before the call, and the usage of an upstream that
 * reported none.
 * @example await inputTokens('openai/text-embedding-3-small', ['hello world', [1, 2, 3]]) // { tokens: 5, estimated: false }
 */
export async function inputTokens(model: string, inputs: readonly EmbeddingInput[]): Promise<{ tokens: number; estimated: boolean }> {
  const tokenizer = await loadTokenizer(model);
  let tokens = 0;
  let sliced = false;
  for (const input of inputs) {
    if (typeof input !== 'string') tokens += input.length;
    else {
      const count = tokenizer.count(input);
      tokens += count.tokens;
      sliced ||= count.sliced;
    }
  }
  return { tokens, estimated: tokenizer.estimated || sliced };
}
