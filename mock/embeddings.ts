// POST …/embeddings: deterministic vectors (the same input, model and dimensions always give the same vector),
// in floats or as base64 of little-endian float32s, with OpenAI's usage; faults and recordings per the directive.
import { createHash } from 'node:crypto';
import { findEmbeddingsProblem } from '../src/wire/openai-embeddings/request.ts';
import { deploymentName } from './chat-request.ts';
import { openAIError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { sendJson } from './http.ts';
import { readModelRequest } from './model-request.ts';
import { scriptedFault } from './respond.ts';
import type { MockState } from './state.ts';
import type { JsonObject } from './types.ts';

/** OpenAI's default sizes; every other model gets 1536 unless `dimensions` says otherwise. */
const DEFAULT_DIMENSIONS: Readonly<Record<string, number>> = { 'text-embedding-3-large': 3072 };

/**
 * A unit vector of `dimensions` float32 values drawn from a hash of the model and the input (mulberry32 seeded
 * by it), so equal requests get equal vectors and different inputs different ones.
 */
export function mockVector(model: string, input: unknown, dimensions: number): Float32Array {
  const seed = createHash('sha256')
    .update(JSON.stringify([model, input]))
    .digest()
    .readUInt32LE(0);
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const values = Array.from({ length: dimensions }, () => next() * 2 - 1);
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return Float32Array.from(values, (v) => v / norm);
}

/** The vector as OpenAI's base64 encoding: its float32 values, little-endian, base64. */
export function base64Vector(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [i, v] of vector.entries()) bytes.writeFloatLE(v, i * 4);
  return bytes.toString('base64');
}

/** Tokens of one input as the mock counts them: a text's characters / 4 (at least 1), a token list's length. */
const tokensOf = (input: unknown): number =>
  typeof input === 'string' ? Math.max(1, Math.ceil(input.length / 4)) : Array.isArray(input) ? input.length : 0;

export async function handleEmbeddings(ex: Exchange, pathname: string, state: MockState): Promise<void> {
  const admitted = await readModelRequest(ex, state);
  if (!admitted) return;
  const { directive: d } = admitted;
  const body: JsonObject = { model: deploymentName(pathname), ...admitted.body };
  const model = typeof body.model === 'string' ? body.model : 'mock-embedding-model';
  ex.model = model;
  ex.directive = d;
  const headers = { 'x-request-id': `req_mock_${state.nextResponseNumber()}`, ...d.headers };
  if (await scriptedFault(ex, d, model, headers, state)) return;
  // Refused as OpenAI refuses it, by the gateway's own rules for this wire.
  const problem = findEmbeddingsProblem(body);
  if (problem) return sendJson(ex.res, 400, openAIError(problem.message, 'invalid_request_error', problem.code, problem.param), headers);

  const input = body['input'];
  const inputs: unknown[] = typeof input === 'string' || typeof (input as unknown[])[0] === 'number' ? [input] : (input as unknown[]);
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : (DEFAULT_DIMENSIONS[model] ?? 1536);
  const base64 = body['encoding_format'] === 'base64';
  const data = inputs.map((item, index) => {
    const vector = mockVector(model, item, dimensions);
    return { object: 'embedding', index, embedding: base64 ? base64Vector(vector) : Array.from(vector) };
  });
  const promptTokens = d.usage?.prompt_tokens ?? inputs.reduce<number>((sum, item) => sum + tokensOf(item), 0);
  sendJson(
    ex.res,
    d.status ?? 200,
    { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
    headers,
  );
}
