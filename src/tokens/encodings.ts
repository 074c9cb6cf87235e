// The two OpenAI encodings, loaded at module scope so building their tables is part of the Worker's
// startup, not of the first request that counts (measured in bench/tokens.ts).
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/esm/encodingParams/constants';
import { countBounded, type PieceEncoder } from './bounded-count.ts';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** How the gateway tokenizes for one model: the encoding, and whether the count is OpenAI's own or an estimate. */
export interface Tokenizer {
  readonly encoding: EncodingName;
  /** False only for OpenAI models, whose tokenizer and chat format are published. */
  readonly estimated: boolean;
  /**
   * Tokens of a text; special-token strings in it count as plain text, as the API treats user text. In time
   * linear in the text: `sliced` when a run too long for the byte-pair merge was counted in slices (bounded-count.ts).
   */
  readonly count: (text: string) => { readonly tokens: number; readonly sliced: boolean };
}

// Text that happens to contain "<|endoftext|>" is text to the API: count it so, instead of throwing.
const asPlainText = { disallowedSpecial: new Set<string>() };

const o200k: PieceEncoder = { countExact: (text) => countO200k(text, asPlainText), splitPattern: O200K_TOKEN_SPLIT_REGEX };
const cl100k: PieceEncoder = { countExact: (text) => countCl100k(text, asPlainText), splitPattern: CL100K_TOKEN_SPLIT_REGEX };

const O200K: Tokenizer = { encoding: 'o200k_base', estimated: false, count: (text) => countBounded(text, o200k) };
const CL100K: Tokenizer = { encoding: 'cl100k_base', estimated: false, count: (text) => countBounded(text, cl100k) };
const ESTIMATE: Tokenizer = { ...O200K, estimated: true };

// OpenAI's model families by encoding (tiktoken's model table): cl100k for gpt-4 and gpt-3.5, o200k after.
const O200K_MODELS = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o1|o3|o4)(?![a-z])/;
const CL100K_MODELS = /^gpt-(4|3\.5)(-|$)/;

/** The model's name without the gateway's `provider/` prefix (an OpenRouter model keeps its own vendor prefix). */
export function bareModel(model: string): string {
  const slash = model.lastIndexOf('/');
  return slash === -1 ? model : model.slice(slash + 1);
}

/** The tokenizer for a model: OpenAI's own for OpenAI models, an o200k estimate for every other. */
export function tokenizerFor(model: string): Tokenizer {
  const name = bareModel(model);
  if (O200K_MODELS.test(name)) return O200K;
  if (CL100K_MODELS.test(name)) return CL100K;
  return ESTIMATE;
}
