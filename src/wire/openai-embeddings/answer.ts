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

/** A vector as OpenAI's base64: its float32 values, little-endian. */
export function toBase64(vector: readonly number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4));
  for (const [i, v] of vector.entries()) view.setFloat32(i * 4, v, true);
  let binary = '';
  for (const byte of new Uint8Array(view.buffer)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The float32 values of OpenAI's base64 vector; null when it is not base64 of whole float32s. */
export function fromBase64(encoded: string): number[] | null {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    return null;
  }
  if (binary.length % 4 !== 0) return null;
  const view = new DataView(Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer);
  return Array.from({ length: binary.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * An upstream's answer checked to OpenAI's shape: one vector per input, each floats or a base64 string; 502
 * `upstream_malformed_response` otherwise. Each vector comes out in the encoding the client asked for: an upstream
 * that ignores `encoding_format` (answering floats to a base64 request, or the reverse) is converted, so a client
 * always reads what it asked for. `model` stands in when the upstream names none.
 * @example decodeEmbeddingsAnswer({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5] }], model: 'm' }, 1, 'base64', 'm').data[0].embedding // 'AAAAPw=='
 */
export function decodeEmbeddingsAnswer(value: unknown, inputs: number, format: 'float' | 'base64', model: string): EmbeddingsAnswer {
  const malformed = (why: string) =>
    new GatewayError(502, `The upstream answered embeddings that are not in OpenAI's shape: ${why}.`, {
      code: 'upstream_malformed_response',
    });
  if (!isObject(value) || !Array.isArray(value['data'])) throw malformed('no "data" list');
  const data = value['data'].map((item: unknown, i): Embedding => {
    if (!isObject(item)) throw malformed(`data[${i}] is not an object`);
    const { embedding } = item;
    const index = isCount(item['index']) ? item['index'] : i;
    if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number'))
      return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(embedding) : embedding };
    if (typeof embedding !== 'string') throw malformed(`data[${i}].embedding is neither a list of numbers nor a base64 string`);
    if (format === 'base64') return { object: 'embedding', index, embedding };
    const floats = fromBase64(embedding);
    if (!floats) throw malformed(`data[${i}].embedding is not base64 of float32 values`);
    return { object: 'embedding', index, embedding: floats };
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
