import { type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

const Person = z.object({ name: z.string(), age: z.number().int(), languages: z.array(z.string()) });

const getWeather = tool(async ({ city }) => `21 °C in ${city}`, {
  name: 'get_weather',
  description: 'Current temperature in a city',
  schema: z.object({ city: z.string() }),
});

// LangChain.js ChatOpenAI against the running gateway, set up as its docs show for an OpenAI-compatible
// endpoint: model, apiKey and configuration.baseURL.
describe('LangChain.js ChatOpenAI against the running gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  const chat = (model = 'openai/gpt-4o-mini', extra: ConstructorParameters<typeof ChatOpenAI>[0] = {}) =>
    new ChatOpenAI({ model, apiKey: GATEWAY_KEY, configuration: { baseURL: `${gateway.url}/v1` }, ...extra });
  beforeAll(async () => {
    gateway = await startGateway(NO_GATEWAY_RETRIES);
  });
  afterAll(() => gateway?.close());

  it('invokes the model and reports token usage', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 13, completion_tokens: 4 } });
    const answer = await chat(model).invoke([new HumanMessage('Hello from LangChain')]);
    expect(answer.content).toBe('Hello from the mock upstream. You said: Hello from LangChain');
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 13, output_tokens: 4, total_tokens: 17 });
    expect(answer.response_metadata['finish_reason']).toBe('stop');
  });

  it('streams chunk by chunk, with usage on the stream', async () => {
    const { model } = await scenario({ usage: { prompt_tokens: 8, completion_tokens: 6 } });
    const pieces: string[] = [];
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await chat(model).stream('Stream from LangChain')) {
      if (typeof chunk.content === 'string' && chunk.content !== '') pieces.push(chunk.content);
      whole = whole ? whole.concat(chunk) : chunk;
    }
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Hello from the mock upstream. You said: Stream from LangChain');
    expect(whole?.usage_metadata).toMatchObject({ input_tokens: 8, output_tokens: 6, total_tokens: 14 });
  });

  it('calls a bound tool with bindTools, then answers with the tool result', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ name: 'get_weather', arguments: { city: 'Lisbon' } }] }, { content: 'Lisbon is at 21 °C.' }],
    });
    const withTools = chat(model).bindTools([getWeather]);
    const messages = [new HumanMessage('Weather in Lisbon?')];
    const first = await withTools.invoke(messages);
    expect(first.tool_calls).toHaveLength(1);
    const call = first.tool_calls?.[0];
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Lisbon' } });
    const result = await getWeather.invoke(call as Parameters<typeof getWeather.invoke>[0]);
    expect(result).toBeInstanceOf(ToolMessage);
    const second = await withTools.invoke([...messages, first, result as ToolMessage]);
    expect(second.content).toBe('Lisbon is at 21 °C.');
    const sent = (await mockCalls(id)).requests[1]?.body['messages'] as { role: string; content?: unknown; tool_call_id?: string }[];
    expect(sent.at(-1)).toMatchObject({ role: 'tool', content: '21 °C in Lisbon', tool_call_id: call?.id });
  });

  it('streams a tool call whose argument fragments join into one call', async () => {
    const { model } = await scenario({ tool_calls: [{ name: 'get_weather', arguments: { city: 'Kraków' } }], fragment: 3 });
    let whole: AIMessageChunk | undefined;
    let chunks = 0;
    for await (const chunk of await chat(model).bindTools([getWeather]).stream('Weather in Kraków?')) {
      chunks++;
      whole = whole ? whole.concat(chunk) : chunk;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(whole?.tool_calls).toMatchObject([{ name: 'get_weather', args: { city: 'Kraków' } }]);
  });

  it('returns a typed object with withStructuredOutput (json_schema, the default)', async () => {
    const { model, id } = await scenario();
    const person = await chat(model).withStructuredOutput(Person, { name: 'person' }).invoke('Ada, 36, speaks English and French');
    expect(Person.parse(person)).toEqual(person);
    expect((await mockCalls(id)).requests[0]?.body['response_format']).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'person' },
    });
  });

  it('returns a typed object with withStructuredOutput through function calling', async () => {
    const { model, id } = await scenario();
    const person = await chat(model)
      .withStructuredOutput(Person, { name: 'person', method: 'functionCalling' })
      .invoke('Grace, 45, speaks English');
    expect(Person.parse(person)).toEqual(person);
    expect((await mockCalls(id)).requests[0]?.body['tool_choice']).toEqual({ type: 'function', function: { name: 'person' } });
  });

  it('raises an error carrying the 429 status when the upstream rate-limits', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '1' } });
    const error = await chat(model, { maxRetries: 0 })
      .invoke('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { status?: number }).status).toBe(429);
    expect((error as { lc_error_code?: string }).lc_error_code).toBe('MODEL_RATE_LIMIT');
  });
});
