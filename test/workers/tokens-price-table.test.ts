// The generated price table against @pydantic/genai-prices itself (a dev dependency here, on Node): the same models
// found, the same rates in force, the same cost for every model of every provider and a spread of usages.
import { calcPrice, findProvider, type ModelPrice, type Provider, type Usage } from '@pydantic/genai-prices';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GENERATED, render } from '../../scripts/prices.ts';
import { PROVIDER_NAMES } from '../../src/providers/catalog.ts';
import { PRICE_DATA_VERSION, PRICE_SOURCES } from '../../src/tokens/price-data.generated.ts';
import { PRICE_PROVIDER } from '../../src/tokens/price-source.ts';
import { findModel } from '../../src/tokens/price-table.ts';
import { costOf, knownChatModels, modelLimits, priceOf, type ReportedUsage } from '../../src/tokens/prices.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
/** Before, between and after the table's start dates, and around its daily windows (00:30–16:30, 01:00–04:00, 06:00–10:00 UTC). */
const TIMES = [
  '2025-01-01T00:00:00Z',
  '2025-06-10T00:00:00Z',
  '2026-03-13T08:00:00Z',
  '2026-08-17T00:29:59Z',
  '2026-08-17T00:30:00Z',
  '2026-08-17T01:00:00Z',
  '2026-08-17T03:59:59.999Z',
  '2026-08-17T04:00:00Z',
  '2026-08-17T06:30:00Z',
  '2026-08-17T16:30:00Z',
  '2026-08-17T23:00:00Z',
  '2027-01-01T00:00:00Z',
  '2030-01-01T12:00:00Z',
].map(Date.parse);

/** The gateway's provider names, and names only genai-prices' provider rules resolve (custom providers). */
const PROVIDER_NAMES_TRIED = [...PROVIDER_NAMES, 'gemini', 'together-ai', 'my-openai-proxy', 'Vertex', 'moonshot', 'huggingface', 'nobody'];
const priceProviderId = (name: string) => PRICE_PROVIDER[name] ?? name;

/** Every model of every provider the table holds, by the name genai-prices lists it under. */
const MODELS = PRICE_SOURCES.flatMap((source) =>
  (findProvider({ providerId: source.id })?.models ?? []).map((model) => ({ provider: source.id, model: model.id })),
);

/** Usage as the gateway hands it to genai-prices (parts of the prompt and completion), and as a provider reports it. */
interface Parts {
  input: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  inputAudio?: number;
  output: number;
  outputAudio?: number;
}
const PARTS: Parts[] = [
  { input: 0, output: 0 },
  { input: 1000, output: 200 },
  { input: 1000, cacheRead: 600, output: 200 },
  { input: 5000, cacheWrite: 4000, output: 300 },
  { input: 5000, cacheWrite: 4000, cacheWrite1h: 1500, output: 300 },
  { input: 5000, cacheRead: 1000, cacheWrite: 2000, cacheWrite1h: 2000, output: 50 },
  { input: 3000, inputAudio: 1200, output: 800, outputAudio: 500 },
  { input: 3000, cacheRead: 500, inputAudio: 1200, output: 800, outputAudio: 500 },
  ...[128_000, 128_001, 199_999, 200_000, 200_001, 271_999, 272_000, 272_001, 1_000_000].map((input) => ({
    input,
    cacheRead: 10_000,
    cacheWrite: 2_000,
    output: 4_000,
  })),
];
const reported = (p: Parts): ReportedUsage => ({
  prompt_tokens: p.input,
  completion_tokens: p.output,
  total_tokens: p.input + p.output,
  prompt_tokens_details: { cached_tokens: p.cacheRead ?? 0, cache_write_tokens: p.cacheWrite ?? 0, audio_tokens: p.inputAudio ?? 0 },
  completion_tokens_details: { audio_tokens: p.outputAudio ?? 0, reasoning_tokens: 0 },
  cache_creation: { ephemeral_1h_input_tokens: p.cacheWrite1h ?? 0 },
});
/** What the gateway passed to calcPrice before the table (src/tokens/prices.ts at 253cbe2). */
const libraryUsage = (p: Parts): Usage => ({
  input_tokens: p.input,
  cache_read_tokens: p.cacheRead ?? 0,
  cache_write_tokens: p.cacheWrite ?? 0,
  ...(p.cacheWrite1h ? { cache_write_1h_tokens: p.cacheWrite1h } : {}),
  input_audio_tokens: p.inputAudio ?? 0,
  output_tokens: p.output,
  output_audio_tokens: p.outputAudio ?? 0,
});

// Which provider and model calcPrice finds for a name, kept: finding it again for every usage is most of calcPrice's time.
const narrowed = new Map<string, Provider | null>();

/** genai-prices' total, undefined where it finds no model or refuses the usage (the gateway then reported no cost). */
function libraryCost(provider: string, model: string, usage: Usage, at: number): number | undefined {
  const key = `${provider}/${model}`;
  if (!narrowed.has(key)) {
    const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider });
    narrowed.set(key, found && { ...found.provider, models: [found.model] });
  }
  const only = narrowed.get(key);
  try {
    return only ? calcPrice(usage, model, { provider: only, timestamp: new Date(at) })?.total_price : undefined;
  } catch {
    return undefined;
  }
}

/** priceOf, modelLimits and knownChatModels as they were written over genai-prices (src/tokens/prices.ts at 253cbe2). */
const rate = (price: ModelPrice, key: string) => {
  const value = price[key];
  return typeof value === 'number' ? value : value?.base;
};
function libraryPriceOf(provider: string, model: string, at: number) {
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider, timestamp: new Date(at) });
  if (!found) return undefined;
  const input = rate(found.model_price, 'input_mtok');
  const output = rate(found.model_price, 'output_mtok');
  if (input === undefined || output === undefined) return undefined;
  const cachedInput = rate(found.model_price, 'cache_read_mtok');
  const cacheWrite = rate(found.model_price, 'cache_write_mtok');
  return { input, output, ...(cachedInput === undefined ? {} : { cachedInput }), ...(cacheWrite === undefined ? {} : { cacheWrite }) };
}
const NOT_CHAT =
  /^ft:|\.ft-|-$|:|tts|transcribe|image|realtime|audio|embedding|moderation|whisper|dall-e|^(ada|babbage|curie|davinci)$|^text-|-instruct$|computer-use/;
function libraryChatModels(provider: string): string[] {
  return (findProvider({ providerId: priceProviderId(provider) })?.models ?? [])
    .filter(
      (m) =>
        !m.deprecated &&
        !NOT_CHAT.test(m.id) &&
        !Array.isArray(m.prices) &&
        rate(m.prices, 'input_mtok') !== undefined &&
        rate(m.prices, 'output_mtok') !== undefined,
    )
    .map((m) => m.id);
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);

/**
 * costOf against calcPrice's total_price, to 1e-12 relative, both absent where genai-prices finds no model or refuses the
 * usage: 'priced' or 'unpriced' when they agree, else what differs (collected, not asserted one by one: ~20 000 of them).
 */
function costDiffers(provider: string, model: string, parts: Parts, at: number): string {
  const expected = libraryCost(provider, model, libraryUsage(parts), at);
  const cost = costOf(`${provider}/${model}`, reported(parts), undefined, at)?.usd;
  if (expected === undefined && cost === undefined) return 'unpriced';
  if (expected !== undefined && cost !== undefined && relative(cost, expected) <= 1e-12) return 'priced';
  return `${provider}/${model} at ${new Date(at).toISOString()} ${JSON.stringify(parts)}: ${cost} ≠ ${expected}`;
}

describe('the generated price table', () => {
  it("holds the gateway's providers and those they fall back to, and every model genai-prices lists for them", () => {
    const ids = PRICE_SOURCES.map((s) => s.id);
    for (const name of PROVIDER_NAMES) {
      const id = findProvider({ providerId: priceProviderId(name) })?.id;
      if (id) expect(ids, name).toContain(id);
      for (const fallback of findProvider({ providerId: priceProviderId(name) })?.fallback_model_providers ?? []) {
        expect(ids, `${name} falls back to ${fallback}`).toContain(fallback);
      }
    }
    expect(ids).toEqual(expect.arrayContaining(['openai', 'anthropic', 'google', 'openrouter', 'azure', 'moonshotai']));
    expect(MODELS.length).toBeGreaterThan(1000);
  });

  it('is what `npm run prices` writes from the installed @pydantic/genai-prices', () => {
    const installed = JSON.parse(readFileSync(new URL('../../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8'));
    expect(PRICE_DATA_VERSION, 'the table is from another genai-prices: run `npm run prices`').toBe(installed.version);
    expect(readFileSync(GENERATED, 'utf8') === render(), 'src/tokens/price-data.generated.ts is stale: run `npm run prices`').toBe(true);
  });

  it('is what the Worker prices from: no source file imports @pydantic/genai-prices', () => {
    const dir = new URL('../../src/', import.meta.url);
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(readFileSync(new URL(file, dir), 'utf8'), file).not.toMatch(/from '@pydantic\/genai-prices'/);
  });
});

describe('model matching, as genai-prices matches', () => {
  const NAMES: [string, string][] = [
    ['openai', 'gpt-4o'],
    ['openai', 'gpt-4o-2024-08-06'],
    ['openai', 'gpt-4o-20240806'],
    ['openai', 'gpt-4o-20241399'],
    ['openai', 'GPT-4o-Mini '],
    ['openai', 'o3-mini'],
    ['openai', 'o4-mini-2025-04-16'],
    ['openai', 'gpt-5'],
    ['openai', 'gpt-4.1-nano'],
    ['openai', 'ft:gpt-4o-mini:acme::abc'],
    ['openai', 'not-a-model'],
    ['anthropic', 'claude-sonnet-4-20250514'],
    ['anthropic', 'claude-3-5-sonnet-20241022'],
    ['anthropic', 'claude-3-5-haiku-latest'],
    ['anthropic', 'claude-opus-4-6'],
    ['anthropic-compat', 'claude-sonnet-4-5'],
    ['azure', 'gpt-4o'],
    ['azure', 'claude-sonnet-4-5'],
    ['azure', 'grok-3'],
    ['azure', 'deepseek-r1'],
    ['azure', 'kimi-k2'],
    ['gemini', 'gemini-2.5-flash'],
    ['google', 'gemini-2.5-pro'],
    ['google', 'claude-opus-4-6'],
    ['google', 'gemini-1.5-flash-002'],
    ['mistral', 'mistral-large-latest'],
    ['mistral', 'codestral-2501'],
    ['deepseek', 'deepseek-chat'],
    ['deepseek', 'deepseek-reasoner'],
    ['xai', 'grok-4'],
    ['xai', 'grok-4-0709'],
    ['fireworks', 'accounts/fireworks/models/llama-v3p1-8b-instruct'],
    ['cerebras', 'llama3.1-8b'],
    ['groq', 'llama-3.3-70b-versatile'],
    ['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'],
    ['openrouter', 'openai/gpt-4o-mini'],
    ['openrouter', 'anthropic/claude-sonnet-4.5'],
    ['openrouter', 'openai/gpt-6-luna:batch'],
    ['openrouter', 'meta-llama/llama-3.3-70b-instruct'],
    ['openrouter', 'nobody/nothing'],
    ['workers-ai', '@cf/meta/llama-3.1-8b-instruct'],
    ['deepinfra', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    ['ollama', 'llama3.2'],
    ['together-ai', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'],
    ['my-openai-proxy', 'gpt-4o'],
    ['Vertex', 'gemini-2.0-flash'],
    ['moonshot', 'kimi-k2'],
    ['nobody', 'gpt-4o'],
  ];
  it('finds the same model for exact ids, dated variants, odd case and unknown names', () => {
    for (const [provider, name] of NAMES) {
      const expected = calcPrice({ input_tokens: 0, output_tokens: 0 }, name, { providerId: priceProviderId(provider) })?.model.id;
      expect(findModel(provider, name)?.id, `${provider}/${name}`).toBe(expected);
    }
    expect(findModel('openai', 'gpt-4o-20240806')?.id).toBe('gpt-4o');
    expect(findModel('azure', 'claude-sonnet-4-5')?.id).toBeDefined();
  });
  it("finds every model of every provider by its own id, and the same one genai-prices finds (a model's id may be an earlier model's alias)", () => {
    for (const { provider, model } of MODELS) {
      const expected = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider })?.model.id;
      expect(findModel(provider, model)?.id, `${provider}/${model}`).toBe(expected);
    }
  });
});

describe('costs, prices and limits, as genai-prices computes them', () => {
  it('costs every model of every provider as calcPrice totals it, for every usage (cache, 1h writes, audio, tier edges, zero)', () => {
    const outcomes = MODELS.flatMap(({ provider, model }) => PARTS.map((parts) => costDiffers(provider, model, parts, NOW)));
    expect(outcomes.filter((o) => o !== 'priced' && o !== 'unpriced')).toEqual([]);
    // Unpriced only where genai-prices refuses cache reads beside audio input for a model that prices cached audio.
    expect(outcomes.filter((o) => o === 'unpriced').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 'priced').length).toBeGreaterThan(outcomes.length * 0.95);
  });

  it('takes the rates in force at the time of the call, for every model whose rates change with dates or hours', () => {
    const timed = MODELS.filter(({ provider, model }) => {
      const info = findProvider({ providerId: provider })?.models.find((m) => m.id === model);
      return info !== undefined && Array.isArray(info.prices);
    });
    expect(timed.length).toBeGreaterThan(10);
    for (const { provider, model } of timed) {
      for (const at of TIMES) {
        const where = `${provider}/${model} at ${new Date(at).toISOString()}`;
        expect(priceOf(`${provider}/${model}`, undefined, at), where).toEqual(libraryPriceOf(provider, model, at));
        expect(PARTS.map((parts) => costDiffers(provider, model, parts, at)).filter((o) => o !== 'priced' && o !== 'unpriced')).toEqual([]);
      }
    }
  });

  it('gives priceOf and modelLimits as they were over genai-prices, for every model', () => {
    for (const { provider, model } of MODELS) {
      const id = `${provider}/${model}`;
      expect(priceOf(id, undefined, NOW), id).toEqual(libraryPriceOf(provider, model, NOW));
      const contextWindow = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider })?.model.context_window;
      expect(modelLimits(id), id).toEqual(contextWindow === undefined ? {} : { contextWindow });
    }
  });

  it('lists the same chat models for every provider name', () => {
    for (const provider of PROVIDER_NAMES_TRIED) expect(knownChatModels(provider), provider).toEqual(libraryChatModels(provider));
    expect(knownChatModels('openai')).toContain('gpt-4o-mini');
  });
});

describe('loading the table', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });
  it("parses a provider's models when one of its models is first priced, once, and OpenRouter's only for an OpenRouter model", async () => {
    vi.resetModules();
    const parse = vi.spyOn(JSON, 'parse');
    const fresh = await import('../../src/tokens/prices.ts');
    const openrouter = PRICE_SOURCES.find((s) => s.id === 'openrouter')?.models;
    const parsedTables = () => parse.mock.calls.filter(([text]) => PRICE_SOURCES.some((s) => s.models === text)).map(([text]) => text);
    expect(parsedTables()).toEqual([]);
    fresh.costOf('openai/gpt-4o-mini', { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 });
    fresh.priceOf('openai/gpt-4o');
    fresh.modelLimits('anthropic/claude-sonnet-4-5');
    expect(parsedTables()).toHaveLength(2);
    expect(parsedTables()).not.toContain(openrouter);
    fresh.costOf('openrouter/openai/gpt-4o-mini', { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 });
    fresh.priceOf('openrouter/anthropic/claude-sonnet-4.5');
    expect(parsedTables().filter((text) => text === openrouter)).toHaveLength(1);
  });
});
