// Writes src/tokens/price-data.generated.ts: the prices of the gateway's providers (src/providers/catalog.ts, and the
// providers genai-prices falls back to for them), from the installed @pydantic/genai-prices.
//   npm run prices            (after `npm update @pydantic/genai-prices`; test/workers/tokens-price-table.test.ts fails until then)
import { findProvider, type ModelInfo, type ModelPrice, type Provider } from '@pydantic/genai-prices';
import { readFileSync, writeFileSync } from 'node:fs';
import { PROVIDERS } from '../src/providers/catalog.ts';
import { PRICE_PROVIDER, type PriceModel, type Rate, type TimedRates } from '../src/tokens/price-source.ts';

export const GENERATED = new URL('../src/tokens/price-data.generated.ts', import.meta.url);
const PACKAGE = new URL('../node_modules/@pydantic/genai-prices/', import.meta.url);

/** The rates the gateway's usage reaches (tableCost in src/tokens/prices.ts reads each of them). */
const REACHED = new Set([
  'input_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'cache_write_1h_mtok',
  'input_audio_mtok',
  'cache_audio_read_mtok',
  'output_mtok',
  'output_audio_mtok',
]);

/**
 * Rates for usage the gateway never reports (images, video, reasoning apart, tool calls, durations, pages, messages):
 * none of the reported counts is a part of theirs, so genai-prices bills them zero for the gateway's usage. Left out.
 */
const NEVER_REPORTED = new Set([
  'input_image_mtok',
  'cache_image_read_mtok',
  'output_image_mtok',
  'output_reasoning_mtok',
  'input_video_mtok',
  'output_video_mtok',
  'web_searches_kcount',
  'storage_searches_kcount',
  'audio_hours',
  'input_audio_hours',
  'input_document_kpages',
  'input_annotated_document_kpages',
  'input_text_messages_kcount',
]);

/** genai-prices' providers for the gateway's, by id, in its order (by id), with the providers they fall back to. */
function sources(): Provider[] {
  const found = new Map<string, Provider>();
  const add = (name: string) => {
    const provider = findProvider({ providerId: name });
    if (provider && !found.has(provider.id)) found.set(provider.id, provider);
    return provider;
  };
  for (const { name } of PROVIDERS) for (const id of add(PRICE_PROVIDER[name] ?? name)?.fallback_model_providers ?? []) add(id);
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A model's rates without those the gateway never reaches; throws on a key it does not know, so a new one is decided, not dropped. */
function reached(prices: ModelPrice, where: string): Record<string, Rate> {
  const kept: Record<string, Rate> = {};
  for (const [key, rate] of Object.entries(prices)) {
    if (rate === undefined || NEVER_REPORTED.has(key)) continue;
    if (!REACHED.has(key)) {
      throw new Error(
        `${where}: price key "${key}" is new. Decide whether the gateway's usage reaches it (src/tokens/prices.ts tableCost) and list it in scripts/prices.ts.`,
      );
    }
    // genai-prices sorts tiers by start (TieredPrices); sorted here, the runtime takes the last one the prompt exceeds.
    kept[key] = typeof rate === 'number' ? rate : { base: rate.base, tiers: [...rate.tiers].sort((a, b) => a.start - b.start) };
  }
  return kept;
}

/** Seconds of the UTC day of a genai-prices time of day (`HH:MM:SS[.fff](Z|±HH:MM)`), as it reads one. */
function secondOfDay(time: string): number {
  const parts = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(time);
  if (!parts) throw new Error(`unreadable time of day: ${time}`);
  const [, h, m, s, fraction = '', zone, sign, oh = '00', om = '00'] = parts;
  const offset = (Number(oh) * 60 + Number(om)) * 60;
  const local = Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(`0.${fraction}`);
  return (local - (zone === 'Z' ? 0 : sign === '+' ? offset : -offset) + 86400) % 86400;
}

function timed(model: ModelInfo, where: string): PriceModel['prices'] {
  if (!Array.isArray(model.prices)) return reached(model.prices, where);
  return model.prices.map((entry): TimedRates => {
    const prices = reached(entry.prices, where);
    const constraint = entry.constraint;
    if (constraint === undefined) return { prices };
    if (constraint.type === 'start_date') return { since: new Date(constraint.start_date).getTime(), prices };
    if (constraint.type === 'time_of_date') {
      return { daily: [secondOfDay(constraint.start_time), secondOfDay(constraint.end_time)], prices };
    }
    throw new Error(`${where}: unknown price constraint ${JSON.stringify(constraint)}`);
  });
}

/** A model as the gateway reads it: no names, descriptions or comments. */
function slim(provider: Provider, model: ModelInfo): PriceModel {
  return {
    id: model.id,
    match: model.match,
    prices: timed(model, `${provider.id}/${model.id}`),
    ...(model.context_window === undefined ? {} : { context_window: model.context_window }),
    ...(model.deprecated ? { deprecated: true as const } : {}),
  };
}

/** A single-quoted string literal (what the formatter keeps). */
const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A small JSON value written as the formatter writes a TypeScript literal. */
function literal(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** The generated module's text, from the installed package. */
export function render(): string {
  const version = (JSON.parse(readFileSync(new URL('package.json', PACKAGE), 'utf8')) as { version: string }).version;
  const license = readFileSync(new URL('LICENSE', PACKAGE), 'utf8').trimEnd().split('\n');
  const entries = sources().map((provider) => {
    const lines = [`    id: ${quote(provider.id)},`];
    if (provider.provider_match) lines.push(`    match: ${literal(provider.provider_match)},`);
    if (provider.fallback_model_providers?.length) lines.push(`    fallbacks: ${literal(provider.fallback_model_providers)},`);
    lines.push(`    models:\n      ${quote(JSON.stringify(provider.models.map((model) => slim(provider, model))))},`);
    return `  {\n${lines.join('\n')}\n  },`;
  });
  return [
    `// Generated by \`npm run prices\` (scripts/prices.ts) from @pydantic/genai-prices ${version}: do not edit.`,
    "// The gateway's providers only, without the rates its usage never reaches; each provider's models are JSON, parsed",
    "// when one of them is first priced. The price data is genai-prices', under its license:",
    '//',
    ...license.map((line) => (line ? `// ${line}` : '//')),
    "import type { PriceSource } from './price-source.ts';",
    '',
    `export const PRICE_DATA_VERSION = ${quote(version)};`,
    '',
    'export const PRICE_SOURCES: readonly PriceSource[] = [',
    ...entries,
    '];',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = render();
  writeFileSync(GENERATED, text);
  console.log(`prices: wrote ${GENERATED.pathname} (${(text.length / 1024).toFixed(1)} KiB)`);
}
