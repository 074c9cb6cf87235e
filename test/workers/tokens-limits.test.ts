import { describe, expect, it } from 'vitest';
import type { ChatCompletion } from '../../src/core/types.ts';
import { countChatTokens } from '../../src/tokens/count-chat.ts';
import { estimateUsage } from '../../src/tokens/estimate-usage.ts';
import { applyMaxTokens, maxTokensField } from '../../src/tokens/max-tokens.ts';

const messages = [{ role: 'user', content: 'hello' }];

describe('applyMaxTokens', () => {
  it('reads max_completion_tokens for o-series and gpt-5, max_tokens for the rest', () => {
    for (const m of ['openai/o1', 'openai/o3-mini', 'o4-mini', 'openai/gpt-5', 'azure/gpt-5-mini'])
      expect(maxTokensField(m), m).toBe('max_completion_tokens');
    for (const m of [
      'openai/gpt-4o',
      'openai/gpt-4.1',
      'anthropic/claude-sonnet-4-5',
      'groq/llama-3.3-70b-versatile',
      'openai/omni-moderation',
    ])
      expect(maxTokensField(m), m).toBe('max_tokens');
  });
  it("sets the default in the family's field when the request names no limit", () => {
    expect(applyMaxTokens({ messages }, 'max_tokens', { defaultMaxTokens: 1024 })).toEqual({ body: { messages, max_tokens: 1024 } });
    expect(applyMaxTokens({ messages }, 'max_completion_tokens', { defaultMaxTokens: 1024 })).toEqual({
      body: { messages, max_completion_tokens: 1024 },
    });
  });
  it('keeps the default under the ceiling, and does not call that a clamp', () => {
    expect(applyMaxTokens({ messages }, 'max_tokens', { defaultMaxTokens: 8192, ceiling: 4096 })).toEqual({
      body: { messages, max_tokens: 4096 },
    });
  });
  it('clamps a larger ask in the field the client used, and says what it asked', () => {
    expect(applyMaxTokens({ messages, max_tokens: 50_000 }, 'max_tokens', { ceiling: 4096 })).toEqual({
      body: { messages, max_tokens: 4096 },
      clampedFrom: 50_000,
    });
    expect(applyMaxTokens({ messages, max_completion_tokens: 50_000 }, 'max_tokens', { ceiling: 4096 })).toEqual({
      body: { messages, max_completion_tokens: 4096 },
      clampedFrom: 50_000,
    });
    expect(
      applyMaxTokens({ messages, max_tokens: 100, max_completion_tokens: 9000 }, 'max_completion_tokens', {
        ceiling: 4096,
        defaultMaxTokens: 10,
      }),
    ).toEqual({ body: { messages, max_tokens: 100, max_completion_tokens: 4096 }, clampedFrom: 9000 });
  });
  it('leaves an ask within the ceiling, or with no settings, as it is (and never mutates the body)', () => {
    const body = { messages, max_tokens: 100 };
    expect(applyMaxTokens(body, 'max_tokens', { ceiling: 4096, defaultMaxTokens: 10 })).toEqual({ body });
    expect(applyMaxTokens({ messages }, 'max_tokens', {})).toEqual({ body: { messages } });
    applyMaxTokens(body, 'max_tokens', { ceiling: 50 });
    expect(body.max_tokens).toBe(100);
  });
});

describe('estimateUsage', () => {
  const partial = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        logprobs: null,
        message: {
          role: 'assistant',
          content: 'The weather in Paris',
          refusal: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":' } }],
        },
      },
    ],
  } as unknown as ChatCompletion;
  it('counts what was sent and what came back so far, marked estimated', async () => {
    const usage = await estimateUsage('openai/gpt-4o', messages, undefined, partial);
    expect(usage.prompt_tokens).toBe((await countChatTokens('openai/gpt-4o', messages)).tokens);
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(4 + 1 + 3);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.estimated).toBe(true);
  });
  it('counts no completion tokens when nothing came back', async () => {
    expect(await estimateUsage('openai/gpt-4o', messages, undefined, undefined)).toEqual({
      prompt_tokens: 8,
      completion_tokens: 0,
      total_tokens: 8,
      estimated: true,
    });
  });
});
