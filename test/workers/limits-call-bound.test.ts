import { describe, expect, it } from 'vitest';
import type { CallRequest } from '../../src/gateway/types.ts';
import { callBound } from '../../src/limits/call-bound.ts';
import { countChatTokens } from '../../src/tokens/count-chat.ts';
import { parseModelPrices } from '../../src/tokens/model-prices.ts';
import { costOf } from '../../src/tokens/prices.ts';

// The bound the budget stage reserves, from the real tokenizer and price data: the prompt exactly, and the output
// the request can actually produce (which the key's object may narrow).
const messages = [{ role: 'user', content: 'Write a haiku about rate limits.' }];
const targetOf = (id: string) => ({ provider: {}, model: id.slice(id.indexOf('/') + 1), id }) as unknown as CallRequest['targets'][0];
const request = (body: Record<string, unknown>, ids: [string, ...string[]] = ['openai/gpt-4o-mini']): CallRequest =>
  ({ body: { messages, ...body }, targets: ids.map(targetOf), caller: { keyHash: null, name: null } }) as unknown as CallRequest;
const overrides = parseModelPrices(
  '{"custom/cheap":{"input":1,"output":2},"custom/dear":{"input":10,"output":20,"max_output_tokens":500},"custom/small":{"input":1,"output":1,"context_window":300}}',
);
const options = { overrides, defaultOutputTokens: 4096, minOutputTokens: 256 };
const prompt = async (id: string) => (await countChatTokens(id, messages)).tokens;

describe('the bound of a call', async () => {
  it("is the prompt, priced at the input rate, plus the request's max tokens at the output rate", async () => {
    const p = await prompt('custom/cheap');
    const bound = await callBound(request({ max_tokens: 1000 }, ['custom/cheap']), options);
    expect(bound.tokens).toBe(p);
    expect(bound.usd).toBeCloseTo(p / 1e6, 15);
    expect(bound.output).toEqual({ tokens: 1000, min: 256, choices: 1, usdPerToken: expect.closeTo(2 / 1e6, 15) });
    expect((await callBound(request({ max_completion_tokens: 300 }, ['custom/cheap']), options)).output?.tokens).toBe(300);
  });

  it('asks for the whole output when max_tokens is below the minimal answer', async () => {
    expect((await callBound(request({ max_tokens: 100 }, ['custom/cheap']), options)).output).toMatchObject({ tokens: 100, min: 100 });
  });

  it('counts n choices', async () => {
    expect((await callBound(request({ max_tokens: 100, n: 3 }, ['custom/cheap']), options)).output).toMatchObject({
      tokens: 100,
      choices: 3,
    });
  });

  it('assumes the default output (DEFAULT_MAX_TOKENS, else 4096) when nothing bounds it, never the context window', async () => {
    // gpt-4o has a 128k context window: the old worst case reserved all of it as output ($1.28), refusing a $0.50 budget.
    const gpt4o = await callBound(request({}, ['openai/gpt-4o']), options);
    expect(gpt4o.output?.tokens).toBe(4096);
    const worst = gpt4o.usd + 4096 * (gpt4o.output?.usdPerToken ?? 0);
    expect(worst).toBeCloseTo(
      costOf('openai/gpt-4o', { prompt_tokens: gpt4o.tokens, completion_tokens: 4096, total_tokens: 0 })?.usd ?? NaN,
      12,
    );
    expect(worst).toBeLessThan(0.05);
    expect((await callBound(request({}, ['custom/cheap']), { ...options, defaultOutputTokens: 700 })).output?.tokens).toBe(700);
  });

  it("never asks for more than the model's output limit or what its context window leaves", async () => {
    expect((await callBound(request({}, ['custom/dear']), options)).output?.tokens).toBe(500);
    expect((await callBound(request({ max_tokens: 90_000 }, ['custom/dear']), options)).output?.tokens).toBe(500);
    expect((await callBound(request({ max_tokens: 90_000 }, ['anthropic/claude-3-5-haiku-latest']), options)).output?.tokens).toBe(8192);
    expect((await callBound(request({}, ['custom/small']), options)).output?.tokens).toBe(300 - (await prompt('custom/small')));
  });

  it('bounds a fallback chain by its largest prompt and its dearest rates', async () => {
    const chain = await callBound(request({ max_tokens: 100 }, ['custom/cheap', 'custom/dear']), options);
    expect(chain.usd).toBeCloseTo(((await prompt('custom/dear')) * 10) / 1e6, 12);
    expect(chain.output?.usdPerToken).toBeCloseTo(20 / 1e6, 15);
  });

  it('reserves no dollars for a model without a price, but still its tokens', async () => {
    expect(await callBound(request({ max_tokens: 50 }, ['custom/unknown-model']), options)).toEqual({
      tokens: await prompt('custom/unknown-model'),
      usd: 0,
      output: { tokens: 50, min: 50, choices: 1, usdPerToken: 0 },
    });
  });
});
