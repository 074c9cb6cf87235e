import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible, type OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { APICallError, generateObject, generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

const Recipe = z.object({
  name: z.string(),
  servings: z.number().int(),
  ingredients: z.array(z.object({ item: z.string(), grams: z.number() })),
});

// The Vercel AI SDK with its OpenAI-compatible provider, set up as its docs show: name, baseURL, apiKey,
// includeUsage (usage on streams) and supportsStructuredOutputs (the gateway forwards json_schema).
describe('the Vercel AI SDK (OpenAI-compatible provider) against the running gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let provider: OpenAICompatibleProvider;
  beforeAll(async () => {
    gateway = await startGateway(NO_GATEWAY_RETRIES);
    provider = createOpenAICompatible({
      name: 'gateway',
      baseURL: `${gateway.url}/v1`,
      apiKey: GATEWAY_KEY,
      includeUsage: true,
      supportsStructuredOutputs: true,
    });
  });
  afterAll(() => gateway?.close());

  it('generates text with generateText and reports the upstream usage', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 17, completion_tokens: 5 } });
    const result = await generateText({ model: provider(model), prompt: 'Hello from the AI SDK' });
    expect(result.text).toBe('Hello from the mock upstream. You said: Hello from the AI SDK');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 17, outputTokens: 5, totalTokens: 22 });
    expect(result.response.headers?.['x-gateway-model']).toBe(model);
  });

  it('streams text with streamText, piece by piece, and reports the upstream usage at the end', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 9, completion_tokens: 7 } });
    const result = streamText({ model: provider(model), prompt: 'Stream me something' });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Hello from the mock upstream. You said: Stream me something');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 9, outputTokens: 7, totalTokens: 16 });
  });

  it('calls a tool, runs it and answers with its result (generateText with stopWhen)', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ name: 'weather', arguments: { city: 'Paris' } }] }, { content: 'It is 21 °C in Paris.' }],
    });
    const seen: unknown[] = [];
    const result = await generateText({
      model: provider(model),
      prompt: 'Weather in Paris?',
      tools: {
        weather: tool({
          description: 'Current temperature in a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            seen.push(city);
            return { city, celsius: 21 };
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(seen).toEqual(['Paris']);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.finishReason).toBe('tool-calls');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'Paris' } });
    expect(result.text).toBe('It is 21 °C in Paris.');
    expect(result.totalUsage.outputTokens).toBe((result.steps[0]?.usage.outputTokens ?? 0) + (result.steps[1]?.usage.outputTokens ?? 0));
    // The second request carried the tool's result back to the model.
    const second = (await mockCalls(id)).requests[1]?.body['messages'] as { role: string; content?: unknown }[];
    expect(second.at(-1)).toMatchObject({ role: 'tool' });
    expect(JSON.parse(String(second.at(-1)?.content))).toEqual({ city: 'Paris', celsius: 21 });
  });

  it('streams tool-call input in fragments that streamText assembles into one call', async () => {
    const { model } = await scenario({ tool_calls: [{ name: 'weather', arguments: { city: 'Reykjavík' } }], fragment: 3 });
    const result = streamText({
      model: provider(model),
      prompt: 'Weather in Reykjavík?',
      tools: { weather: tool({ inputSchema: z.object({ city: z.string() }) }) },
    });
    let deltas = 0;
    for await (const part of result.fullStream) if (part.type === 'tool-input-delta') deltas++;
    expect(deltas).toBeGreaterThan(3);
    expect(await result.finishReason).toBe('tool-calls');
    expect(await result.toolCalls).toMatchObject([{ toolName: 'weather', input: { city: 'Reykjavík' } }]);
  });

  it('generates an object matching a zod schema with generateText and Output.object', async () => {
    const { output, usage } = await generateText({
      model: provider('openai/gpt-4o-mini'),
      output: Output.object({ schema: Recipe }),
      prompt: 'A lasagna recipe',
    });
    expect(Recipe.parse(output)).toEqual(output);
    expect(usage.outputTokens).toBeGreaterThan(0);
  });

  it('generates an object with generateObject (the older structured-output call)', async () => {
    const { object, usage } = await generateObject({ model: provider('openai/gpt-4o-mini'), schema: Recipe, prompt: 'A pancake recipe' });
    expect(Recipe.parse(object)).toEqual(object);
    expect(usage.totalTokens).toBeGreaterThan(0);
  });

  it('streams a structured object with streamText and Output.object', async () => {
    const result = streamText({
      model: provider('openai/gpt-4o-mini'),
      output: Output.object({ schema: Recipe }),
      prompt: 'A soup recipe',
    });
    let partials = 0;
    for await (const _partial of result.partialOutputStream) partials++;
    const output = await result.output;
    expect(partials).toBeGreaterThan(0);
    expect(Recipe.parse(output)).toEqual(output);
  });

  it('retries a 429 itself after the retry-after the gateway forwarded, then succeeds', async () => {
    const { model, id } = await scenario({ steps: [{ status: 429, headers: { 'retry-after': '1' } }], content: 'Second time lucky.' });
    // The SDK waits with setTimeout: the delays it asks for say whose word it took, however busy the machine.
    const timers = vi.spyOn(globalThis, 'setTimeout');
    let delays: (number | undefined)[];
    try {
      const { text } = await generateText({ model: provider(model), prompt: 'Retry me', maxRetries: 2 });
      expect(text).toBe('Second time lucky.');
    } finally {
      delays = timers.mock.calls.map(([, ms]) => ms);
      timers.mockRestore();
    }
    expect((await mockCalls(id)).count).toBe(2);
    // The SDK's own first backoff is 2 s; one second is the server's retry-after, which the gateway forwarded.
    expect(delays).toContain(1000);
    expect(delays).not.toContain(2000);
  });

  it('reports a failure after the stream started as an error part, not a clean finish', async () => {
    const { model } = await scenario({ stream: { error_after: 2 } });
    const errors: unknown[] = [];
    const result = streamText({ model: provider(model), prompt: 'Break halfway', onError: ({ error }) => void errors.push(error) });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    expect(parts).toContain('text-delta');
    expect(parts).toContain('error');
    expect(errors).toHaveLength(1);
  });

  it('surfaces a 429 as an APICallError with status, retryable flag and retry-after header', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '1' } });
    const error = await generateText({ model: provider(model), prompt: 'x', maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(429);
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.responseHeaders?.['retry-after']).toBe('1');
  });

  it('works with @ai-sdk/openai too, through its Chat Completions models (openai.chat)', async () => {
    const openai = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });
    const { text, usage } = await generateText({ model: openai.chat('openai/gpt-4o-mini'), prompt: 'Hello via @ai-sdk/openai' });
    expect(text).toBe('Hello from the mock upstream. You said: Hello via @ai-sdk/openai');
    expect(usage.totalTokens).toBeGreaterThan(0);
  });

  it("works with @ai-sdk/openai's default Responses API model too (openai(model), served by /v1/responses since issue 21)", async () => {
    const openai = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });
    const { text, usage, response } = await generateText({
      model: openai('openai/gpt-4o-mini'),
      prompt: 'Hello via Responses',
      maxRetries: 0,
    });
    expect(text).toBe('Hello from the mock upstream. You said: Hello via Responses');
    expect(usage.totalTokens).toBeGreaterThan(0);
    expect(response.headers?.['x-gateway-model']).toBe('openai/gpt-4o-mini');
  });
});
