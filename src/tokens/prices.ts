// Prices and limits per `provider/model`: MODEL_PRICES first, then the generated table of @pydantic/genai-prices (MIT).
import type { Cost, Usage } from '../core/types.ts';
import { NO_OVERRIDES, type ModelPriceEntry, type PriceOverrides } from './model-prices.ts';
import type { ModelRates, PriceModel, Rate } from './price-source.ts';
import { findModel, fixedRates, providerModels, ratesAt } from './price-table.ts';

/** What a model costs, in US dollars per million tokens. */
export interface Price {
  readonly input: number;
  readonly output: number;
  readonly cachedInput?: number;
  readonly cacheWrite?: number;
}

export interface ModelLimits {
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
}

/** Splits `provider/model` at the first slash (an OpenRouter model keeps its vendor prefix). */
function split(id: string): { provider: string; model: string } | undefined {
  const slash = id.indexOf('/');
  return slash <= 0 ? undefined : { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

// Matching a name against a provider's whole list is most of a lookup (OpenRouter lists ~700 models); the match is
// kept per id. Bounded: names come from callers.
const matched = new Map<string, PriceModel | null>();
const MATCHED_MAX = 1000;

/** The table's model for `provider/model`; undefined when it does not know the model. */
function lookup(id: string): PriceModel | undefined {
  const known = matched.get(id);
  if (known !== undefined) return known ?? undefined;
  const parts = split(id);
  const found = parts && findModel(parts.provider, parts.model);
  if (matched.size < MATCHED_MAX) matched.set(id, found ?? null);
  return found;
}

// A tiered price (by prompt size) as one number: its base tier, the one most calls pay.
const baseRate = (rates: ModelRates, key: string): number | undefined => {
  const value = rates[key];
  return typeof value === 'number' ? value : value?.base;
};

/**
 * The price of a model at `at` (now): MODEL_PRICES's entry, else the price table's; undefined when neither knows it.
 * @example priceOf('openai/gpt-4o-mini') // { input: 0.15, cachedInput: 0.075, output: 0.6 }
 */
export function priceOf(id: string, overrides: PriceOverrides = NO_OVERRIDES, at = Date.now()): Price | undefined {
  const own = overrides.get(id);
  if (own) return withOptional({ input: own.input, output: own.output }, own.cached_input, own.cache_write);
  const found = lookup(id);
  if (!found) return undefined;
  const rates = ratesAt(found, at);
  const input = baseRate(rates, 'input_mtok');
  const output = baseRate(rates, 'output_mtok');
  if (input === undefined || output === undefined) return undefined;
  return withOptional({ input, output }, baseRate(rates, 'cache_read_mtok'), baseRate(rates, 'cache_write_mtok'));
}

const withOptional = (price: Price, cachedInput: number | undefined, cacheWrite: number | undefined): Price => ({
  ...price,
  ...(cachedInput === undefined ? {} : { cachedInput }),
  ...(cacheWrite === undefined ? {} : { cacheWrite }),
});

/** The context window and output limit of a model: MODEL_PRICES's, else the price table's (which has context windows only). */
export function modelLimits(id: string, overrides: PriceOverrides = NO_OVERRIDES): ModelLimits {
  const own = overrides.get(id);
  const contextWindow = own?.context_window ?? lookup(id)?.context_window;
  const maxOutputTokens = own?.max_output_tokens;
  return { ...(contextWindow === undefined ? {} : { contextWindow }), ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }) };
}

/** Usage as a provider may report it: OpenAI's fields, plus Anthropic's cache fields where a provider passes them through. */
export type ReportedUsage = Partial<Usage> & {
  readonly prompt_tokens_details?: {
    readonly cached_tokens?: number;
    readonly audio_tokens?: number;
    readonly cache_write_tokens?: number;
  } | null;
  readonly cache_creation_input_tokens?: number;
  /** Anthropic's split of cache writes by lifetime; one-hour writes have their own rate. */
  readonly cache_creation?: { readonly ephemeral_1h_input_tokens?: number } | null;
  readonly cache_read_input_tokens?: number;
  readonly input_tokens?: number;
  readonly output_tokens?: number;
};

/** The parts of a prompt and a completion, as counts that partition their totals. */
interface Parts {
  readonly input: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly cacheWrite1h: number;
  readonly inputAudio: number;
  readonly output: number;
  readonly outputAudio: number;
}

const n = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/**
 * Reads a usage object into parts. Cache reads: `prompt_tokens_details.cached_tokens` (OpenAI) or
 * `cache_read_input_tokens` (Anthropic). Cache writes: `cache_creation_input_tokens` (Anthropic), else
 * `prompt_tokens_details.cache_write_tokens`. `prompt_tokens` is the whole prompt, cache included, as OpenAI
 * reports it; when it is smaller than the cache counts (Anthropic's `input_tokens` is the uncached rest) the
 * cache counts are added to it. Reasoning tokens are inside `completion_tokens` and are not added again, except
 * where `total_tokens` says more output was used than `completion_tokens` shows.
 */
function parts(usage: ReportedUsage): Parts {
  const details = usage.prompt_tokens_details ?? undefined;
  const cacheRead = n(details?.cached_tokens) || n(usage.cache_read_input_tokens);
  const cacheWrite = n(usage.cache_creation_input_tokens) || n(details?.cache_write_tokens);
  const reported = usage.prompt_tokens ?? usage.input_tokens;
  const prompt = n(reported);
  const input = usage.prompt_tokens === undefined || prompt < cacheRead + cacheWrite ? prompt + cacheRead + cacheWrite : prompt;
  // Gemini's OpenAI-compatible API leaves thinking tokens out of completion_tokens but not out of total_tokens: bill the larger.
  const output = Math.max(
    n(usage.completion_tokens ?? usage.output_tokens),
    usage.prompt_tokens === undefined ? 0 : n(usage.total_tokens) - prompt,
  );
  const cacheWrite1h = Math.min(n(usage.cache_creation?.ephemeral_1h_input_tokens), cacheWrite);
  return {
    input,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
    inputAudio: Math.min(n(details?.audio_tokens), input - cacheRead - cacheWrite),
    output,
    outputAudio: Math.min(n(usage.completion_tokens_details?.audio_tokens), output),
  };
}

/**
 * What a call cost, from its usage: cache reads at the cache-read rate, cache writes at the cache-write rate,
 * audio at the audio rate where the model has one, at the rates in force at `at` (now); undefined when the model's price is unknown.
 * `estimated` when the usage was the gateway's own count.
 * @example costOf('openai/gpt-4o-mini', { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 }) // { usd: 0.00021, estimated: false }
 */
export function costOf(id: string, usage: ReportedUsage, overrides: PriceOverrides = NO_OVERRIDES, at = Date.now()): Cost | undefined {
  const p = parts(usage);
  const estimated = usage.estimated === true;
  const own = overrides.get(id);
  if (own) return { usd: ownCost(own, p), estimated };
  const found = lookup(id);
  const usd = found && tableCost(ratesAt(found, at), p);
  return usd === undefined ? undefined : { usd, estimated };
}

/** A rate for a prompt of `prompt` tokens: the last tier whose start it exceeds, else the base. */
function rateFor(rate: Rate, prompt: number): number {
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (prompt > tier.start) price = tier.price;
  return price;
}

/**
 * A call's cost at the table's rates, as genai-prices computes it for this usage: each token at the rate of its most
 * specific kind the model prices (a one-hour cache write at the one-hour rate, else the cache-write rate, else the input
 * rate; audio at the audio rate, else the input or output rate), tiered rates by the whole prompt. Undefined where
 * genai-prices refuses the usage: cached audio priced apart, with cache reads and audio both reported but not their overlap.
 */
function tableCost(rates: ModelRates, p: Parts): number | undefined {
  if (rates['cache_audio_read_mtok'] !== undefined && p.cacheRead > 0 && p.inputAudio > 0) return undefined;
  const rate = (key: string): number | undefined => {
    const value = rates[key];
    return value === undefined ? undefined : rateFor(value, p.input);
  };
  const input = rate('input_mtok') ?? 0;
  const cacheWrite = rate('cache_write_mtok') ?? input;
  const output = rate('output_mtok') ?? 0;
  const perMillion =
    (p.input - p.cacheRead - p.cacheWrite - p.inputAudio) * input +
    p.cacheRead * (rate('cache_read_mtok') ?? input) +
    (p.cacheWrite - p.cacheWrite1h) * cacheWrite +
    p.cacheWrite1h * (rate('cache_write_1h_mtok') ?? cacheWrite) +
    p.inputAudio * (rate('input_audio_mtok') ?? input) +
    (p.output - p.outputAudio) * output +
    p.outputAudio * (rate('output_audio_mtok') ?? output);
  return perMillion / 1_000_000;
}

function ownCost(price: ModelPriceEntry, p: Parts): number {
  const uncached = p.input - p.cacheRead - p.cacheWrite;
  const perMillion =
    uncached * price.input +
    p.cacheRead * (price.cached_input ?? price.input) +
    p.cacheWrite * (price.cache_write ?? price.input) +
    p.output * price.output;
  return perMillion / 1_000_000;
}

/**
 * Names the price data lists that no chat completion can use: fine-tune templates (`ft:…`, `….ft-`, a trailing
 * `-`), pricing variants (`gpt-4o:extended`), speech, transcription, image, realtime and audio models, embeddings
 * and moderation, the legacy completion models, and computer use.
 */
const NOT_CHAT =
  /^ft:|\.ft-|-$|:|tts|transcribe|image|realtime|audio|embedding|moderation|whisper|dall-e|^(ada|babbage|curie|davinci)$|^text-|-instruct$|computer-use/;

/**
 * The chat models the price data knows for a provider (by the gateway's provider name), current ones only:
 * priced for input and output, not deprecated, and named like a chat model (`NOT_CHAT`). Empty when it knows none.
 * @example knownChatModels('openai') // ['gpt-4o', 'gpt-4o-mini', …]
 */
export function knownChatModels(provider: string): string[] {
  const chat = (m: PriceModel, rates = fixedRates(m)) =>
    !m.deprecated &&
    !NOT_CHAT.test(m.id) &&
    rates !== undefined &&
    baseRate(rates, 'input_mtok') !== undefined &&
    baseRate(rates, 'output_mtok') !== undefined;
  return providerModels(provider)
    .filter((m) => chat(m))
    .map((m) => m.id);
}
