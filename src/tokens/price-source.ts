// The shape of the generated price table (price-data.generated.ts, written by scripts/prices.ts from
// @pydantic/genai-prices), and which of its providers prices each gateway provider name.

/** How the table matches a model or provider name (given in lower case): as genai-prices matches it. */
export type MatchLogic =
  | { readonly equals: string }
  | { readonly starts_with: string }
  | { readonly ends_with: string }
  | { readonly contains: string }
  | { readonly regex: string }
  | { readonly and: readonly MatchLogic[] }
  | { readonly or: readonly MatchLogic[] };

/** US dollars per million tokens, or by prompt size: the last tier (by `start`) whose start the whole prompt exceeds, else `base`. */
export type Rate = number | { readonly base: number; readonly tiers: readonly { readonly start: number; readonly price: number }[] };

/** A model's rates by genai-prices key (`input_mtok`, `cache_read_mtok`…), only those the gateway's usage can reach. */
export type ModelRates = Readonly<Record<string, Rate>>;

/** Rates that apply from a date (`since`, epoch ms) or during a daily UTC window (`daily`, seconds of the day; it may wrap midnight). */
export interface TimedRates {
  readonly since?: number;
  readonly daily?: readonly [number, number];
  readonly prices: ModelRates;
}

export interface PriceModel {
  readonly id: string;
  readonly match: MatchLogic;
  /** One set of rates, or several with their times: the last one in force applies, else the first. */
  readonly prices: ModelRates | readonly TimedRates[];
  readonly context_window?: number;
  readonly deprecated?: true;
}

/** One provider of the table. */
export interface PriceSource {
  readonly id: string;
  /** Which other names reach this provider (genai-prices' `provider_match`). */
  readonly match?: MatchLogic;
  /** Providers whose models it also serves, asked in order when none of its own matches. */
  readonly fallbacks?: readonly string[];
  /** Its models, a PriceModel[] as JSON: a new isolate scans a string literal far faster than it parses an object literal. */
  readonly models: string;
}

/** The gateway's provider names as genai-prices names them, where they differ. */
export const PRICE_PROVIDER: Readonly<Record<string, string>> = { 'workers-ai': 'cloudflare', xai: 'x-ai', gemini: 'google' };
