// The two OpenAI encodings, loaded when a request first counts tokens (most never do): their tables were most of
// the Worker's code, and building them at startup cost every new isolate about 200 ms of CPU before its first
// answer (bench/cold-start-tokens.ts). cl100k_base loads only for the gpt-4 and gpt-3.5 models that use it.
// Their rank files are not in the Worker at all: the composition root says where to read them (`useRankFiles`),
// in the Worker its static assets (asset-rank-files.ts), so a new isolate neither loads nor uploads 5 MB it rarely needs.
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/esm/encodingParams/constants';
import { countBounded, type PieceEncoder } from './bounded-count.ts';
import { parseTiktokenRanks } from './tiktoken-ranks.ts';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Which encoding a model is counted with, and whether the count is OpenAI's own or an estimate. */
export interface EncodingChoice {
  readonly encoding: EncodingName;
  /** False only for OpenAI models, whose tokenizer and chat format are published. */
  readonly estimated: boolean;
}

/** A loaded encoding, for one model. */
export interface Tokenizer extends EncodingChoice {
  /**
   * Tokens of a text; special-token strings in it count as plain text, as the API treats user text. In time
   * linear in the text: `sliced` when a run too long for the byte-pair merge was counted in slices (bounded-count.ts).
   */
  readonly count: (text: string) => { readonly tokens: number; readonly sliced: boolean };
}

// Text that happens to contain "<|endoftext|>" is text to the API: count it so, instead of throwing.
const asPlainText = { disallowedSpecial: new Set<string>() };

/** The text of an encoding's `.tiktoken` rank file (gpt-tokenizer's data/<name>.tiktoken), read at its first use. */
export type RankFiles = (encoding: EncodingName) => Promise<string>;

let rankFiles: RankFiles | undefined;

/**
 * Where this isolate reads the rank files from; set by the composition root before any count (the Worker: its
 * static assets; Node tests and benches: node_modules). Encodings already loaded stay loaded.
 * @example useRankFiles(assetRankFiles(env.ASSETS))
 */
export function useRankFiles(source: RankFiles): void {
  rankFiles = source;
}

function rankFile(name: EncodingName): Promise<string> {
  if (!rankFiles) throw new Error(`No source for the tokenizer's rank files (${name}): call useRankFiles() first.`);
  return rankFiles(name);
}

const SPLIT_PATTERNS: Record<EncodingName, RegExp> = { o200k_base: O200K_TOKEN_SPLIT_REGEX, cl100k_base: CL100K_TOKEN_SPLIT_REGEX };

async function loadEncoder(name: EncodingName): Promise<PieceEncoder> {
  const [file, { GptEncoding }] = await Promise.all([rankFile(name), import('gpt-tokenizer/esm/GptEncoding')]);
  const ranks = parseTiktokenRanks(file);
  const { countTokens } = GptEncoding.getEncodingApi(name, () => ranks);
  return { countExact: (text) => countTokens(text, asPlainText), splitPattern: SPLIT_PATTERNS[name] };
}

const loading = new Map<EncodingName, Promise<PieceEncoder>>();
const loaded = new Set<EncodingName>();

/** The encodings this isolate has loaded so far (for tests and the cold-start bench: a plain chat call loads none). */
export function loadedEncodings(): EncodingName[] {
  return [...loaded];
}

function load(name: EncodingName): Promise<PieceEncoder> {
  let pending = loading.get(name);
  if (!pending) {
    pending = loadEncoder(name).then(
      (encoder) => {
        loaded.add(name);
        return encoder;
      },
      (error: unknown) => {
        loading.delete(name); // a failed load is tried again by the next count
        throw error;
      },
    );
    loading.set(name, pending);
  }
  return pending;
}

// OpenAI's model families by encoding (tiktoken's model table): cl100k for gpt-4 and gpt-3.5, o200k after.
const O200K_MODELS = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o1|o3|o4)(?![a-z])/;
const CL100K_MODELS = /^(gpt-(4|3\.5)(-|$)|text-embedding-)/;

/** The model's name without the gateway's `provider/` prefix (an OpenRouter model keeps its own vendor prefix). */
export function bareModel(model: string): string {
  const slash = model.lastIndexOf('/');
  return slash === -1 ? model : model.slice(slash + 1);
}

/** The encoding for a model, without loading it: OpenAI's own for OpenAI models, an o200k estimate for every other. */
export function encodingFor(model: string): EncodingChoice {
  const name = bareModel(model);
  if (O200K_MODELS.test(name)) return { encoding: 'o200k_base', estimated: false };
  if (CL100K_MODELS.test(name)) return { encoding: 'cl100k_base', estimated: false };
  return { encoding: 'o200k_base', estimated: true };
}

/**
 * The model's tokenizer, its encoding loaded on first use (once per isolate).
 * @example const { count } = await loadTokenizer('openai/gpt-4o'); count('hello').tokens // 1
 */
export async function loadTokenizer(model: string): Promise<Tokenizer> {
  const choice = encodingFor(model);
  const encoder = await load(choice.encoding);
  return { ...choice, count: (text) => countBounded(text, encoder) };
}
