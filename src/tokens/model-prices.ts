// The MODEL_PRICES variable: a deployer's own prices and limits, per `provider/model`, over the bundled price data.
import { isJsonObject } from '../core/types.ts';
import { configError } from '../errors.ts';

/** One deployer-set entry; prices in US dollars per million tokens. */
export interface ModelPriceEntry {
  readonly input: number;
  readonly output: number;
  /** Price of prompt tokens read from the provider's cache; the input price when absent. */
  readonly cached_input?: number;
  /** Price of prompt tokens written to the provider's cache; the input price when absent. */
  readonly cache_write?: number;
  readonly context_window?: number;
  readonly max_output_tokens?: number;
}

/** Parsed MODEL_PRICES, by `provider/model`. */
export type PriceOverrides = ReadonlyMap<string, ModelPriceEntry>;

export const NO_OVERRIDES: PriceOverrides = new Map();

const PRICE_FIELDS = ['input', 'output', 'cached_input', 'cache_write'] as const;
const LIMIT_FIELDS = ['context_window', 'max_output_tokens'] as const;
const KNOWN = new Set<string>([...PRICE_FIELDS, ...LIMIT_FIELDS]);

/**
 * Parses and validates MODEL_PRICES; a bad entry is a `config_error` that names it.
 * @example parseModelPrices('{"openai/my-ft":{"input":0.3,"output":1.2}}')
 */
export function parseModelPrices(raw: string): PriceOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError('MODEL_PRICES', 'not valid JSON.');
  }
  if (!isJsonObject(parsed)) throw configError('MODEL_PRICES', 'expected a JSON object of "provider/model": { input, output, … }.');
  const out = new Map<string, ModelPriceEntry>();
  for (const [id, value] of Object.entries(parsed)) {
    const bad = (why: string) => configError('MODEL_PRICES', `entry "${id}": ${why}`);
    if (!/^[^/\s]+\/\S+$/.test(id)) throw bad('the key must be "provider/model".');
    if (!isJsonObject(value)) throw bad('expected an object like {"input": 0.15, "output": 0.6} (US dollars per million tokens).');
    for (const key of Object.keys(value)) if (!KNOWN.has(key)) throw bad(`unknown field "${key}" (known: ${[...KNOWN].join(', ')}).`);
    for (const key of PRICE_FIELDS) {
      const v = value[key];
      if (v === undefined && (key === 'cached_input' || key === 'cache_write')) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw bad(`"${key}" must be a number of US dollars per million tokens, 0 or more.`);
    }
    for (const key of LIMIT_FIELDS) {
      const v = value[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0))
        throw bad(`"${key}" must be a whole number of tokens above 0.`);
    }
    out.set(id, value as unknown as ModelPriceEntry);
  }
  return out;
}
