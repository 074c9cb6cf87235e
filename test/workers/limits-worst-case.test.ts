import { describe, expect, it } from 'vitest';
import type { CallRequest } from '../../src/gateway/types.ts';
import { worstCase } from '../../src/limits/worst-case.ts';
import { countChatTokens } from '../../src/tokens/count-chat.ts';
import { parseModelPrices } from '../../src/tokens/model-prices.ts';

// The worst case the budget stage reserves, from the real tokenizer and price data.
const messages = [{ role: 'user', content: 'Write a haiku about rate limits.' }];
const targetOf = (id: string) => ({ provider: {}, model: id.slice(id.indexOf('/') + 1), id }) as unknown as CallRequest['targets'][0];
const request = (body: Record<string, unknown>, ids: [string, ...string[]] = ['openai/gpt-4o-mini']): CallRequest =>
  ({ body: { messages, ...body }, targets: ids.map(targetOf), caller: { keyHash: null, name: null } }) as unknown as CallRequest;
const overrides = parseModelPrices(
  '{"custom/cheap":{"input":1,"output":2},"custom/dear":{"input":10,"output":20,"max_output_tokens":500}}',
);
const options = { overrides, unboundedOutputTokens: 4096 };
const prompt = async (id: string) => (await countChatTokens(id, messages)).tokens;

describe('the worst case of a call', () => {
  it("is the prompt plus the request's max tokens, priced", async () => {
    const p = await prompt('custom/cheap');
    expect(await worstCase(request({ max_tokens: 1000 }, ['custom/cheap']), options)).toEqual({
      tokens: p + 1000,
      usd: (p * 1 + 1000 * 2) / 1e6,
    });
    expect((await worstCase(request({ max_completion_tokens: 300 }, ['custom/cheap']), options)).tokens).toBe(p + 300);
  });

  it('multiplies the output by n', async () => {
    expect((await worstCase(request({ max_tokens: 100, n: 3 }, ['custom/cheap']), options)).tokens).toBe(
      (await prompt('custom/cheap')) + 300,
    );
  });

  it("falls back to the model's output limit, then to the configured bound", async () => {
    expect((await worstCase(request({}, ['custom/dear']), options)).tokens).toBe((await prompt('custom/dear')) + 500);
    expect((await worstCase(request({}, ['custom/cheap']), options)).tokens).toBe((await prompt('custom/cheap')) + 4096);
  });

  it('uses what the context window leaves when that is all the data knows', async () => {
    const { tokens } = await worstCase(request({}, ['openai/gpt-4o-mini']), options);
    expect(tokens).toBe(128_000);
  });

  it('prices a fallback chain at its dearest model', async () => {
    const chain = await worstCase(request({ max_tokens: 100 }, ['custom/cheap', 'custom/dear']), options);
    expect(chain.usd).toBeCloseTo(((await prompt('custom/dear')) * 10 + 100 * 20) / 1e6, 12);
  });

  it('reserves no dollars for a model without a price, but still its tokens', async () => {
    expect(await worstCase(request({ max_tokens: 50 }, ['custom/unknown-model']), options)).toEqual({
      tokens: (await prompt('custom/unknown-model')) + 50,
      usd: 0,
    });
  });
});
