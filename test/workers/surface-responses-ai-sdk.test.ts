import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gatewayFetch } from './support/anthropic-client.ts';
import { KEY, mockCalls } from './support/gateway.ts';
import { TRANSLATED_ENV, translatedScenario as scenario } from './support/translated.ts';

// `@ai-sdk/openai`'s default provider, `openai(model)`, speaks the Responses API: pointed at the gateway with
// its baseURL, it reaches any model the gateway serves (here the mock upstream as xAI, by translation; OpenAI's own
// are passed through, surface-responses-native.test.ts).

const openai = createOpenAI({ baseURL: 'http://gateway.test/v1', apiKey: KEY, fetch: gatewayFetch({ env: TRANSLATED_ENV }) });

describe("@ai-sdk/openai's default (Responses) provider against /v1/responses", () => {
  it('generates text with generateText and reports the usage', async () => {
    const { model, id } = await scenario({
      content: 'Hello from the Responses surface.',
      usage: { prompt_tokens: 17, completion_tokens: 5 },
    });
    const result = await generateText({ model: openai(model), system: 'Be brief.', prompt: 'Hello from the AI SDK' });
    expect(result.text).toBe('Hello from the Responses surface.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 17, outputTokens: 5, totalTokens: 22 });
    expect(result.response.headers?.['x-gateway-model']).toBe(model);
    const [request] = (await mockCalls(id)).requests;
    expect(request?.url).toContain('/chat/completions');
  });

  it('streams text with streamText, piece by piece', async () => {
    const { model } = await scenario({
      content: 'Streamed through the Responses surface.',
      usage: { prompt_tokens: 9, completion_tokens: 7 },
    });
    const result = streamText({ model: openai(model), prompt: 'Stream me something' });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Streamed through the Responses surface.');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 9, outputTokens: 7, totalTokens: 16 });
  });

  it('calls a tool, runs it and answers with its result (generateText with stopWhen)', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ id: 'call_w', name: 'weather', arguments: { city: 'Paris' } }] }, { content: 'It is 21 °C in Paris.' }],
    });
    const seen: unknown[] = [];
    const result = await generateText({
      model: openai(model),
      prompt: 'Weather in Paris?',
      tools: {
        weather: tool({
          description: 'Weather in a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async (input) => {
            seen.push(input);
            return { temperature: 21 };
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(seen).toEqual([{ city: 'Paris' }]);
    expect(result.text).toBe('It is 21 °C in Paris.');
    const second = (await mockCalls(id)).requests[1]?.body['messages'] as Record<string, unknown>[];
    expect(second.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_w', content: '{"temperature":21}' },
    ]);
  });
});
