// OpenAI's embeddings answer (`CreateEmbeddingResponse`): what the gateway reads from an upstream, stores in the
// cache and sends to the client, unchanged (float arrays or base64 strings, as the client asked).
import { GatewayError } from '../../errors.ts';

/** One vector: floats, or the base64 of its little-endian float32s. */
export interface Embedding {
  readonly object: 'embedding';
  readonly index: number;
  readonly embedding: readonly number[] | string;
}

export interface EmbeddingsAnswer {
  readonly object: 'list';
  readonly data: readonly Embedding[];
  readonly model: string;
  /** What the upstream reported; absent when it reported nothing (the gateway then counts the input). */
  readonly usage?: { readonly prompt_tokens: number; readonly total_tokens: number };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * An upstream's answer checked to OpenAI's shape: one vector per input, each floats or a base64 string; 502
 * `upstream_malformed_response` otherwise. `model` stands in when the upstream names none.
 * @example decodeEmbeddingsAnswer({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }], model: 'm' }, 1, 'm')
 */
export function decodeEmbeddingsAnswer(value: unknown, inputs: number, model: string): EmbeddingsAnswer {
  const malformed = (why: string) =>
    new GatewayError(502, `The upstream answered embeddings that are not in OpenAI's shape: ${why}.`, {
      code: 'upstream_malformed_response',
    });
  if (!isObject(value) || !Array.isArray(value['data'])) throw malformed('no "data" list');
  const data = value['data'].map((item: unknown, i): Embedding => {
    if (!isObject(item)) throw malformed(`data[${i}] is not an object`);
    const { embedding } = item;
    const vector = typeof embedding === 'string' || (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number'));
    if (!vector) throw malformed(`data[${i}].embedding is neither a list of numbers nor a base64 string`);
    return { object: 'embedding', index: isCount(item['index']) ? item['index'] : i, embedding: embedding as Embedding['embedding'] };
  });
  if (data.length !== inputs) throw malformed(`${data.length} vectors for ${inputs} inputs`);
  const usage = isObject(value['usage']) ? value['usage'] : {};
  const prompt = usage['prompt_tokens'];
  return {
    object: 'list',
    data,
    model: typeof value['model'] === 'string' ? value['model'] : model,
    ...(isCount(prompt)
      ? { usage: { prompt_tokens: prompt, total_tokens: isCount(usage['total_tokens']) ? usage['total_tokens'] : prompt } }
      : {}),
  };
}
