// Reads the generated price table as genai-prices reads its own data: which provider serves a gateway provider name,
// which of its models a name is, and which of a model's rates are in force at a time. A provider's models are parsed
// when first needed (OpenRouter's ~100 KB only when an OpenRouter model is priced).
import { PRICE_SOURCES } from './price-data.generated.ts';
import { type MatchLogic, type ModelRates, PRICE_PROVIDER, type PriceModel, type PriceSource, type TimedRates } from './price-source.ts';

const parsed = new Map<string, readonly PriceModel[]>();

function modelsOf(source: PriceSource): readonly PriceModel[] {
  let models = parsed.get(source.id);
  if (!models) {
    models = JSON.parse(source.models) as PriceModel[];
    parsed.set(source.id, models);
  }
  return models;
}

const regexes = new Map<string, RegExp>();

/** Whether a lower-case name satisfies a match rule; patterns compare in lower case, regexes as written. */
export function matches(rule: MatchLogic, name: string): boolean {
  if ('or' in rule) return rule.or.some((r) => matches(r, name));
  if ('and' in rule) return rule.and.every((r) => matches(r, name));
  if ('equals' in rule) return name === rule.equals.toLowerCase();
  if ('starts_with' in rule) return name.startsWith(rule.starts_with.toLowerCase());
  if ('ends_with' in rule) return name.endsWith(rule.ends_with.toLowerCase());
  if ('contains' in rule) return name.includes(rule.contains.toLowerCase());
  let regex = regexes.get(rule.regex);
  if (!regex) {
    regex = new RegExp(rule.regex);
    regexes.set(rule.regex, regex);
  }
  return regex.test(name);
}

/** The table's provider for a gateway provider name: by genai-prices' id for it, else by the providers' own name rules. */
function sourceOf(provider: string): PriceSource | undefined {
  const id = (PRICE_PROVIDER[provider] ?? provider).toLowerCase().trim();
  return PRICE_SOURCES.find((s) => s.id === id) ?? PRICE_SOURCES.find((s) => s.match !== undefined && matches(s.match, id));
}

/** The models the table lists for a gateway provider name (its own, not those it falls back to); empty when it knows none. */
export function providerModels(provider: string): readonly PriceModel[] {
  const source = sourceOf(provider);
  return source ? modelsOf(source) : [];
}

/** The first of a provider's models whose rule the name satisfies, else the first of the providers it falls back to (theirs only). */
function matchIn(source: PriceSource, name: string): PriceModel | undefined {
  const own = modelsOf(source).find((m) => matches(m.match, name));
  if (own) return own;
  for (const id of source.fallbacks ?? []) {
    const fallback = PRICE_SOURCES.find((s) => s.id === id);
    const found = fallback && modelsOf(fallback).find((m) => matches(m.match, name));
    if (found) return found;
  }
  return undefined;
}

const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** `gpt-4o-20240806` as `gpt-4o-2024-08-06` (real dates only), the second spelling genai-prices tries. */
const dashedDates = (name: string) =>
  name.replace(COMPACT_DATE, (whole, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)
      ? whole
      : `${dash}${y}-${m}-${d}`;
  });

/**
 * The table's model for a gateway provider name and a model name, found as genai-prices finds it: the name in lower
 * case, then with compact dates dashed; undefined when it knows neither.
 * @example findModel('openai', 'gpt-4o-2024-08-06')?.id // 'gpt-4o'
 */
export function findModel(provider: string, model: string): PriceModel | undefined {
  const source = sourceOf(provider);
  if (!source) return undefined;
  const name = model.toLowerCase().trim();
  const found = matchIn(source, name);
  if (found) return found;
  const dashed = dashedDates(name);
  return dashed === name ? undefined : matchIn(source, dashed);
}

const isTimed = (prices: PriceModel['prices']): prices is readonly TimedRates[] => Array.isArray(prices);

const DAY_MS = 86_400_000;

/** The rates in force at `at` (epoch ms): the last entry whose date has come or whose daily window holds it, else the first. */
export function ratesAt(model: PriceModel, at: number): ModelRates {
  const prices = model.prices;
  if (!isTimed(prices)) return prices;
  const second = (((at % DAY_MS) + DAY_MS) % DAY_MS) / 1000;
  for (let i = prices.length - 1; i >= 0; i--) {
    const entry = prices[i];
    if (entry && (entry.since !== undefined ? at >= entry.since : entry.daily === undefined || within(second, entry.daily))) {
      return entry.prices;
    }
  }
  return prices[0]?.prices ?? {};
}

const within = (second: number, [start, end]: readonly [number, number]) =>
  end < start ? second >= start || second < end : second >= start && second < end;

/** A model's rates when they do not change with time; undefined when they do. */
export const fixedRates = (model: PriceModel): ModelRates | undefined => (isTimed(model.prices) ? undefined : model.prices);
