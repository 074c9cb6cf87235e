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
const prompt = (id: string) => countChatTokens(id, messages).tokens;

describe('the worst case of a call', () => {
  it("is the prompt plus the request's max tokens, priced", () => {
    const p = prompt('custom/cheap');
    expect(worstCase(request({ max_tokens: 1000 }, ['custom/cheap']), options)).toEqual({
      tokens: p + 1000,
      usd: (p * 1 + 1000 * 2) / 1e6,
    });
    expect(worstCase(request({ max_completion_tokens: 300 }, ['custom/cheap']), options).tokens).toBe(p + 300);
  });

  it('multiplies the output by n', () => {
    expect(worstCase(request({ max_tokens: 100, n: 3 }, ['custom/cheap']), options).tokens).toBe(prompt('custom/cheap') + 300);
  });

  it("falls back to the model's output limit, then to the configured bound", () => {
    expect(worstCase(request({}, ['custom/dear']), options).tokens).toBe(prompt('custom/dear') + 500);
    expect(worstCase(request({}, ['custom/cheap']), options).tokens).toBe(prompt('custom/cheap') + 4096);
  });

  it('uses what the context window leaves when that is all the data knows', () => {
    const { tokens } = worstCase(request({}, ['openai/gpt-4o-mini']), options);
    expect(tokens).toBe(128_000);
  });

  it('prices a fallback chain at its dearest model', () => {
    const chain = worstCase(request({ max_tokens: 100 }, ['custom/cheap', 'custom/dear']), options);
    expect(chain.usd).toBeCloseTo((prompt('custom/dear') * 10 + 100 * 20) / 1e6, 12);
  });

  it('reserves no dollars for a model without a price, but still its tokens', () => {
    expect(worstCase(request({ max_tokens: 50 }, ['custom/unknown-model']), options)).toEqual({
      tokens: prompt('custom/unknown-model') + 50,
      usd: 0,
    });
  });
});
