/// <reference types="vite/client" />
import { calcPrice, extractUsage, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { parseModelPrices } from '../../src/tokens/model-prices.ts';
import { costOf, modelLimits, priceOf, type ReportedUsage } from '../../src/tokens/prices.ts';

// Recorded provider bodies from ../shared (third-party recordings, read at build time, never copied here).
const RECORDED = import.meta.glob<Record<string, unknown>>(
  ['../../../shared/providers/*.json', '../../../shared/openai/fixtures/*.json', '!**/*.meta.json'],
  { eager: true, import: 'default' },
);
const recorded = (name: string): Record<string, unknown> | undefined =>
  Object.entries(RECORDED).find(([path]) => path.endsWith(`/${name}`))?.[1];
const hasRecordings = recorded('anthropic-messages-cache-read.json') !== undefined;
if (!hasRecordings) console.warn('[tokens-prices] ../shared/providers not found: the recorded-usage cost tests are skipped.');

/** The price source's own figure: its usage extractor on the recorded body, then its calculator. */
function sourceCost(providerId: string, body: Record<string, unknown>): number {
  const provider = findProvider({ providerId });
  if (!provider) throw new Error(`genai-prices has no provider ${providerId}`);
  // Anthropic's recordings are its native Messages API; the others are OpenAI-shaped chat completions.
  const flavor = providerId !== 'anthropic' && provider.extractors?.some((e) => e.api_flavor === 'chat') ? 'chat' : 'default';
  const extracted = extractUsage(provider, body, flavor);
  const result = calcPrice(extracted.usage, extracted.model ?? String(body['model']), { providerId });
  if (!result) throw new Error(`genai-prices has no price for ${String(body['model'])}`);
  return result.total_price;
}

describe('costOf matches the price source', () => {
  it("gives the genai-prices README's worked example: Sonnet 4, 4740 input of which 4735 cache writes, 255 output = $0.02159625", () => {
    const usage = { prompt_tokens: 4740, completion_tokens: 255, total_tokens: 4995 };
    expect(costOf('anthropic/claude-sonnet-4-20250514', { ...usage, cache_creation_input_tokens: 4735 })?.usd).toBeCloseTo(0.02159625, 12);
    expect(
      costOf('anthropic/claude-sonnet-4-20250514', { ...usage, prompt_tokens_details: { cache_write_tokens: 4735 } })?.usd,
    ).toBeCloseTo(0.02159625, 12);
  });

  describe.skipIf(!hasRecordings)('on recorded usage objects', () => {
    // Anthropic's native usage: input_tokens is the uncached rest, cache reads and writes are apart from it.
    for (const file of [
      'anthropic-messages-cache-read.json',
      'anthropic-messages-cache-creation.json',
      'anthropic-messages-cache-read-and-creation.json',
      'anthropic-messages-tool-use-cache-creation.json',
      'anthropic-messages-thinking.json',
    ]) {
      it(`prices ${file} as genai-prices does (cache reads and writes at their own rates)`, () => {
        const body: Record<string, unknown> = recorded(file) ?? {};
        const cost = costOf(`anthropic/${String(body['model'])}`, body['usage'] as ReportedUsage);
        expect(cost?.usd).toBeCloseTo(sourceCost('anthropic', body), 12);
      });
    }
    // OpenAI-shaped usage: prompt_tokens includes cached_tokens; completion_tokens includes reasoning_tokens.
    for (const [file, provider] of [
      ['deepseek-chat-tool-call-reasoning.json', 'deepseek'],
      ['deepseek-chat-reasoning.json', 'deepseek'],
      ['mistral-chat-cached-tokens.json', 'mistral'],
      ['openai-chat-completion-text.json', 'openai'],
    ] as const) {
      it(`prices ${file} as genai-prices does, cached tokens at the cache-read rate and reasoning counted once`, () => {
        const body: Record<string, unknown> = recorded(file) ?? {};
        const usage = body['usage'] as ReportedUsage & { prompt_tokens: number; completion_tokens: number };
        const id = `${provider}/${String(body['model'])}`;
        const cost = costOf(id, usage);
        expect(cost).toEqual({ usd: expect.closeTo(sourceCost(provider, body), 12), estimated: false });
        const price = priceOf(id);
        if (!price) throw new Error(`no price for ${id}`);
        const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
        const byHand =
          ((usage.prompt_tokens - cached) * price.input +
            cached * (price.cachedInput ?? price.input) +
            usage.completion_tokens * price.output) /
          1e6;
        expect(cost?.usd).toBeCloseTo(byHand, 12);
      });
    }
    it("bills Gemini's thinking tokens, which its OpenAI-compatible usage leaves out of completion_tokens but not out of total_tokens", () => {
      const body: Record<string, unknown> = recorded('gemini-openai-compat-tool-call.json') ?? {};
      const usage = body['usage'] as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      expect(usage.total_tokens).toBeGreaterThan(usage.prompt_tokens + usage.completion_tokens);
      const price = priceOf(`gemini/${String(body['model'])}`);
      if (!price) throw new Error('no price for the recorded Gemini model');
      expect(costOf(`gemini/${String(body['model'])}`, usage)?.usd).toBeCloseTo(
        (usage.prompt_tokens * price.input + (usage.total_tokens - usage.prompt_tokens) * price.output) / 1e6,
        12,
      );
    });
  });

  it('prices audio tokens at the audio rate where the model has one', () => {
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      prompt_tokens_details: { audio_tokens: 400, cached_tokens: 0 },
      completion_tokens_details: { audio_tokens: 300, reasoning_tokens: 0 },
    };
    const expected = calcPrice(
      {
        input_tokens: 1000,
        input_audio_tokens: 400,
        output_tokens: 500,
        output_audio_tokens: 300,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
      },
      'gpt-4o-audio-preview',
      { providerId: 'openai' },
    );
    expect(costOf('openai/gpt-4o-audio-preview', usage)?.usd).toBeCloseTo(expected?.total_price ?? Number.NaN, 12);
  });
  it('carries estimated usage through to an estimated cost', () => {
    expect(costOf('openai/gpt-4o-mini', { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, estimated: true })).toEqual({
      usd: expect.closeTo((1000 * 0.15 + 100 * 0.6) / 1e6, 12),
      estimated: true,
    });
  });
  it('returns undefined for a model no source prices', () => {
    expect(costOf('ollama/llama3.2', { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 })).toBeUndefined();
    expect(priceOf('ollama/llama3.2')).toBeUndefined();
  });
});

describe('MODEL_PRICES', () => {
  const overrides = parseModelPrices(
    JSON.stringify({
      'ollama/llama3.2': { input: 0, output: 0, context_window: 131072, max_output_tokens: 8192 },
      'openai/gpt-4o-mini': { input: 1, cached_input: 0.5, output: 2, max_output_tokens: 16384 },
    }),
  );
  it("adds a deployer's own model and overrides a known one", () => {
    expect(costOf('ollama/llama3.2', { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 }, overrides)).toEqual({
      usd: 0,
      estimated: false,
    });
    const usage = { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_tokens_details: { cached_tokens: 400 } };
    expect(costOf('openai/gpt-4o-mini', usage, overrides)?.usd).toBeCloseTo((600 * 1 + 400 * 0.5 + 100 * 2) / 1e6, 12);
    expect(priceOf('openai/gpt-4o-mini', overrides)).toEqual({ input: 1, cachedInput: 0.5, output: 2 });
  });
  it('gives limits from the variable first, then the price data', () => {
    expect(modelLimits('ollama/llama3.2', overrides)).toEqual({ contextWindow: 131072, maxOutputTokens: 8192 });
    expect(modelLimits('openai/gpt-4o-mini', overrides)).toEqual({ contextWindow: 128000, maxOutputTokens: 16384 });
    expect(modelLimits('openai/gpt-4o-mini')).toEqual({ contextWindow: 128000 });
    expect(modelLimits('ollama/unknown')).toEqual({});
  });
  it('rejects a bad entry with a config_error that names it', () => {
    const failure = (raw: string) => {
      try {
        parseModelPrices(raw);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    for (const [raw, says] of [
      ['{"openai/x": {"input": -1, "output": 1}}', 'entry "openai/x": "input"'],
      ['{"openai/x": {"input": 1}}', 'entry "openai/x": "output"'],
      ['{"nomodel": {"input": 1, "output": 1}}', 'entry "nomodel"'],
      ['{"openai/x": {"input": 1, "output": 1, "cached": 1}}', 'unknown field "cached"'],
      ['{"openai/x": {"input": 1, "output": 1, "context_window": 1.5}}', '"context_window"'],
      ['[1]', 'expected a JSON object'],
      ['{', 'not valid JSON'],
    ] as const) {
      const error = failure(raw);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).is('config_error')).toBe(true);
      expect((error as GatewayError).message, raw).toContain(says);
      expect((error as GatewayError).message).toContain('MODEL_PRICES');
    }
  });
});
