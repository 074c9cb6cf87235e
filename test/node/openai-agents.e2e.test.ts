import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// The OpenAI Agents SDK (JS) set up as docs/surfaces.md says: its default client pointed at the
// gateway, tracing off (it would post traces to OpenAI). It speaks the Responses API by default.
describe('the OpenAI Agents SDK against the running gateway (Responses API)', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway(NO_GATEWAY_RETRIES);
    setDefaultOpenAIClient(new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY }));
    setOpenAIAPI('responses');
    setTracingDisabled(true);
  });
  afterAll(() => gateway?.close());

  it('runs an agent that calls a function tool, then answers with its result', async () => {
    const { model, id } = await scenario({
      steps: [
        { tool_calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
        { content: 'It is sunny in Paris.' },
      ],
    });
    const asked: string[] = [];
    const getWeather = tool({
      name: 'get_weather',
      description: 'The weather in a city.',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        asked.push(city);
        return `sunny, 24 °C in ${city}`;
      },
    });
    const agent = new Agent({ name: 'Weather', instructions: 'Answer with the weather.', model, tools: [getWeather] });

    const result = await run(agent, 'What is the weather in Paris?');

    expect(result.finalOutput).toBe('It is sunny in Paris.');
    expect(asked).toEqual(['Paris']);
    const calls = await mockCalls(id);
    expect(calls.count).toBe(2);
    // To openai/* the Agents SDK's Responses requests pass through (the gateway stores them, OpenAI is asked store:false).
    expect(calls.requests.map((r) => [r.url, r.body['store']])).toEqual([
      ['/v1/responses', false],
      ['/v1/responses', false],
    ]);
    const [first, second] = calls.requests.map(
      (r) => r.body as { input: Record<string, unknown>[]; tools?: unknown[]; instructions?: string },
    );
    expect(first!.tools).toEqual([expect.objectContaining({ type: 'function', name: 'get_weather' })]);
    expect(first!.instructions).toBe('Answer with the weather.');
    // The second turn carries the call and its result back, as Responses items.
    expect(second!.input.slice(-2)).toMatchObject([
      { type: 'function_call', call_id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_weather_1', output: 'sunny, 24 °C in Paris' },
    ]);
  });

  it('streams the same run, event by event', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] }, { content: 'Snow in Oslo.' }],
    });
    const agent = new Agent({
      name: 'Weather',
      model,
      tools: [
        tool({ name: 'get_weather', description: 'The weather.', parameters: z.object({ city: z.string() }), execute: async () => 'snow' }),
      ],
    });
    const result = await run(agent, 'Weather in Oslo?', { stream: true });
    const kinds = new Set<string>();
    for await (const event of result) kinds.add(event.type);
    await result.completed;
    expect(result.finalOutput).toBe('Snow in Oslo.');
    expect(kinds).toContain('raw_model_stream_event');
    expect(kinds).toContain('run_item_stream_event');
    const calls = await mockCalls(id);
    expect(calls.requests.map((r) => r.body['stream'])).toEqual([true, true]);
  });
});
