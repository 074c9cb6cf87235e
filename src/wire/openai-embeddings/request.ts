// OpenAI's Create embeddings request (POST /v1/embeddings), checked field by field: the one validator of this
// wire. Pure and without imports but the error leaf, so the mock upstream refuses what the gateway refuses.
import { type GatewayCode, invalidField } from '../../errors.ts';

/** One input as OpenAI takes it: text, or the token ids of a text. */
export type EmbeddingInput = string | readonly number[];

/** A checked embeddings request: only OpenAI's fields, each of its documented type. */
export interface EmbeddingsRequest {
  /** As the client wrote it (an alias, `provider/model` or a bare name). */
  readonly model: string;
  /** As sent (one input or a list of them); `inputs` is the same as a list. */
  readonly input: string | readonly string[] | readonly number[] | readonly (readonly number[])[];
  readonly inputs: readonly EmbeddingInput[];
  /** Always set: the answer keeps the encoding the client asked for (float when it named none). */
  readonly encoding_format: 'float' | 'base64';
  readonly dimensions?: number;
  readonly user?: string;
}

/** A field OpenAI would reject: its name, a message naming it, and the gateway's code. */
export interface EmbeddingsProblem {
  readonly param: string;
  readonly message: string;
  readonly code: GatewayCode;
}

const FIELDS = ['model', 'input', 'encoding_format', 'dimensions', 'user'];
/** OpenAI's bound on the inputs of one request, and on the token ids of one input. */
export const MAX_INPUTS = 2048;
/** No embedding model comes near it; a bound keeps absurd sizes (1e9) from reaching an upstream or the mock. */
export const MAX_DIMENSIONS = 65_536;

class Rejected extends Error {
  readonly problem: EmbeddingsProblem;
  constructor(param: string, message: string, code: GatewayCode = 'invalid_value') {
    super(message);
    this.problem = { param, message, code };
  }
}

const isTokenId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A list of token ids: 1 to 2048 non-negative whole numbers. */
function checkTokens(value: readonly unknown[], param: string): readonly number[] {
  if (value.length === 0) throw new Rejected(param, `"${param}" must not be an empty list of token ids.`);
  if (value.length > MAX_INPUTS)
    throw new Rejected(param, `"${param}" may hold at most ${MAX_INPUTS} token ids; it holds ${value.length}.`);
  const bad = value.findIndex((t) => !isTokenId(t));
  if (bad !== -1) throw new Rejected(`${param}[${bad}]`, `"${param}[${bad}]" must be a token id (a whole number >= 0).`, 'invalid_type');
  return value as readonly number[];
}

/** The inputs as a list: a string, a list of strings, a list of token ids, or a list of such lists. */
function checkInput(input: unknown): readonly EmbeddingInput[] {
  const shapes = 'a string, a list of strings, a list of token ids, or a list of lists of token ids';
  if (input === undefined) throw new Rejected('input', '"input" is required: the text (or texts) to embed.', 'missing_field');
  if (typeof input === 'string') {
    if (input === '') throw new Rejected('input', '"input" must not be an empty string.');
    return [input];
  }
  if (!Array.isArray(input)) throw new Rejected('input', `"input" must be ${shapes}.`, 'invalid_type');
  if (input.length === 0) throw new Rejected('input', '"input" must not be an empty list.');
  // The first item says which list it is: one text's token ids, texts, or token-id lists; the rest must match it.
  if (typeof input[0] === 'number') return [checkTokens(input, 'input')];
  if (input.length > MAX_INPUTS) throw new Rejected('input', `"input" may hold at most ${MAX_INPUTS} inputs; it holds ${input.length}.`);
  const texts = typeof input[0] === 'string';
  return input.map((item: unknown, i): EmbeddingInput => {
    const param = `input[${i}]`;
    if (texts && typeof item === 'string') {
      if (item === '') throw new Rejected(param, `"${param}" must not be an empty string.`);
      return item;
    }
    if (!texts && Array.isArray(item)) return checkTokens(item, param);
    const expected =
      i === 0 ? 'a string or a list of token ids' : texts ? 'a string, as input[0] is' : 'a list of token ids, as input[0] is';
    throw new Rejected(param, `"${param}" must be ${expected} ("input" is ${shapes}).`, 'invalid_type');
  });
}

function check(body: Readonly<Record<string, unknown>>): EmbeddingsRequest {
  const unknown = Object.keys(body).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => `"${k}"`).join(', ');
    throw new Rejected(
      unknown[0] as string,
      `Unknown field${unknown.length > 1 ? 's' : ''} ${names}. Accepted fields: ${FIELDS.join(', ')}.`,
      'unknown_field',
    );
  }
  const { model, dimensions, user } = body;
  if (model === undefined) throw new Rejected('model', '"model" is required, e.g. "openai/text-embedding-3-small".', 'missing_field');
  if (typeof model !== 'string' || model.trim() === '') throw new Rejected('model', '"model" must be a non-empty string.', 'invalid_type');
  const inputs = checkInput(body['input']);
  const format = body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new Rejected('encoding_format', '"encoding_format" must be "float" or "base64".');
  if (
    dimensions !== undefined &&
    !(typeof dimensions === 'number' && Number.isSafeInteger(dimensions) && dimensions >= 1 && dimensions <= MAX_DIMENSIONS)
  )
    throw new Rejected('dimensions', `"dimensions" must be a whole number from 1 to ${MAX_DIMENSIONS}.`);
  if (user !== undefined && typeof user !== 'string') throw new Rejected('user', '"user" must be a string.', 'invalid_type');
  return {
    model,
    input: body['input'] as EmbeddingsRequest['input'],
    inputs,
    encoding_format: format,
    ...(dimensions === undefined ? {} : { dimensions }),
    ...(user === undefined ? {} : { user }),
  };
}

/** The first field OpenAI would reject in an embeddings body, or null (for the mock upstream). */
export function findEmbeddingsProblem(body: Readonly<Record<string, unknown>>): EmbeddingsProblem | null {
  try {
    check(body);
    return null;
  } catch (error) {
    if (error instanceof Rejected) return error.problem;
    throw error;
  }
}

/**
 * A checked embeddings request, or a 400 naming the first field that is wrong (unknown fields all named).
 * @example decodeEmbeddingsRequest({ model: 'openai/text-embedding-3-small', input: 'hello' }).encoding_format // 'float'
 */
export function decodeEmbeddingsRequest(body: Readonly<Record<string, unknown>>): EmbeddingsRequest {
  try {
    return check(body);
  } catch (error) {
    if (error instanceof Rejected) throw invalidField(error.problem.param, error.problem.message, error.problem.code);
    throw error;
  }
}

/** The body the upstream gets: the client's fields with the provider's model name, `encoding_format` always said. */
export function upstreamEmbeddingsBody(request: EmbeddingsRequest, model: string): Record<string, unknown> {
  return {
    model,
    input: request.input,
    encoding_format: request.encoding_format,
    ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
    ...(request.user === undefined ? {} : { user: request.user }),
  };
}
