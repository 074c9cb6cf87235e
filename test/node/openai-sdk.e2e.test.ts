import OpenAI from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

const weatherTool: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
    strict: true,
  },
};

// The official openai SDK against the running gateway, used exactly as its README shows: only baseURL and apiKey change.
describe('the official openai SDK against the running gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let client: OpenAI;
  beforeAll(async () => {
    gateway = await startGateway(NO_GATEWAY_RETRIES);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });
  });
  afterAll(() => gateway?.close());

  it('gets a non-stream completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock upstream. You said: Hello there');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams token by token, with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream this' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) pieces.push(piece);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Hello from the mock upstream. You said: Stream this');
    expect(usage?.completion_tokens).toBe(pieces.length);
  });

  it('gets a forced tool call whose arguments match the tool schema, then answers with the tool result', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.tool_calls).toHaveLength(1);
    const call = message?.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toMatch(/\S/);
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    expect(typeof args['city']).toBe('string');
    expect(['c', 'f']).toContain(args['unit']);

    // Second turn: the assistant message goes back as the SDK returned it, plus the tool's answer.
    messages.push(message as OpenAI.ChatCompletionAssistantMessageParam, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' });
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] });
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toContain('Hello from the mock upstream');
  });

  it('streams tool-call arguments in fragments that the stream helper joins into one call', async () => {
    const { model } = await scenario({
      tool_calls: [
        { name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } },
        { name: 'get_weather', arguments: { city: 'Oslo', unit: 'f' } },
      ],
      fragment: 4,
    });
    const stream = client.chat.completions.stream({
      model,
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    let fragments = 0;
    stream.on('tool_calls.function.arguments.delta', () => fragments++);
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(fragments).toBeGreaterThan(4);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : null))).toEqual([
      ['get_weather', { city: 'Paris', unit: 'c' }],
      ['get_weather', { city: 'Oslo', unit: 'f' }],
    ]);
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('gets JSON matching a json_schema response_format', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name', 'age', 'tags'],
      additionalProperties: false,
    };
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Ada Lovelace, 36, mathematician' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    const data = JSON.parse(completion.choices[0]?.message.content ?? 'null') as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['age', 'name', 'tags']);
    expect(typeof data['name']).toBe('string');
    expect(Number.isInteger(data['age'])).toBe(true);
    expect(Array.isArray(data['tags'])).toBe(true);
  });

  it('parses structured output with chat.completions.parse and zodResponseFormat', async () => {
    const Person = z.object({ name: z.string(), age: z.number().int(), languages: z.array(z.string()) });
    const completion = await client.chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Ada, 36, speaks English and French' }],
      response_format: zodResponseFormat(Person, 'person'),
    });
    const parsed = completion.choices[0]?.message.parsed;
    expect(parsed).not.toBeNull();
    expect(Person.parse(parsed)).toEqual(parsed);
  });

  it('streams structured output with chat.completions.stream, parsed at the end', async () => {
    const Answer = z.object({ answer: z.string(), confidence: z.number() });
    const stream = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      response_format: zodResponseFormat(Answer, 'answer'),
    });
    let deltas = 0;
    stream.on('content.delta', () => deltas++);
    const final = await stream.finalChatCompletion();
    expect(deltas).toBeGreaterThan(0);
    expect(Answer.parse(final.choices[0]?.message.parsed)).toEqual(final.choices[0]?.message.parsed);
  });

  it('parses tool-call arguments with chat.completions.parse and zodFunction', async () => {
    const Lookup = z.object({ city: z.string(), days: z.number().int() });
    const completion = await client.chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Forecast for Rome, 3 days' }],
      tools: [zodFunction({ name: 'forecast', parameters: Lookup })],
      tool_choice: 'required',
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('forecast');
    expect(Lookup.parse(call.function.parsed_arguments)).toEqual(call.function.parsed_arguments);
  });

  it('runs a tool loop with runTools: calls the tool, sends its result back and returns the final answer', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, { content: 'The sum is 5.' }],
    });
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model,
      messages: [{ role: 'user', content: 'What is 2 + 3?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'add',
            description: 'Adds two numbers',
            parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
            parse: JSON.parse,
            function: (args: { a: number; b: number }) => {
              seen.push(args);
              return String(args.a + args.b);
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('The sum is 5.');
    expect(seen).toEqual([{ a: 2, b: 3 }]);
    const upstream = await mockCalls(id);
    expect(upstream.count).toBe(2);
    const lastMessages = upstream.requests[1]?.body['messages'] as { role: string; content?: unknown }[];
    expect(lastMessages.at(-1)).toMatchObject({ role: 'tool', content: '5' });
  });

  it('raises RateLimitError for a 429, with the retry-after header the upstream sent', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '1' } });
    const noRetry = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const error = await noRetry.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get('retry-after')).toBe('1');
    expect(rateLimit.type).toBe('requests');
    expect(rateLimit.code).toBe('rate_limit_exceeded');
  });

  it('retries a 429 itself after waiting the retry-after seconds, then succeeds', async () => {
    const { model, id } = await scenario({ steps: [{ status: 429, headers: { 'retry-after': '1' } }], content: 'Worth the wait.' });
    // Counting what the SDK sends: its documented `fetch` option, otherwise the setup of its README.
    let sent = 0;
    const counting = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: GATEWAY_KEY,
      maxRetries: 2,
      fetch: (input, init) => {
        sent++;
        return fetch(input, init);
      },
    });
    const started = performance.now();
    const completion = await counting.chat.completions.create({ model, messages: [{ role: 'user', content: 'Please retry' }] });
    const waited = performance.now() - started;
    expect(completion.choices[0]?.message.content).toBe('Worth the wait.');
    expect(sent).toBe(2);
    expect((await mockCalls(id)).count).toBe(2);
    // The SDK's own backoff for a first retry is 0.375–0.5 s; one second means it obeyed retry-after.
    expect(waited).toBeGreaterThanOrEqual(950);
  });

  it('raises BadRequestError with the param for an invalid body', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');
  });

  it('raises InternalServerError for an upstream 500 once its retries are spent', async () => {
    const { model, id } = await scenario({ status: 500 });
    const client1 = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 1 });
    const error = await client1.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((await mockCalls(id)).count).toBe(2);
  });

  it('raises an APIError when the stream fails after it started, instead of ending quietly', async () => {
    const { model } = await scenario({ stream: { error_after: 2 } });
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Break halfway through' }],
      stream: true,
    });
    const pieces: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(pieces.length).toBeGreaterThan(0);
  });

  it('embeds with embeddings.create: floats, base64 passed through, and the SDK’s own decoding', async () => {
    const { model, id } = await scenario();
    const input = `embed me ${crypto.randomUUID()}`;
    const floats = await client.embeddings.create({ model, input, dimensions: 16, encoding_format: 'float' });
    expect(floats.data[0]?.embedding).toHaveLength(16);
    const base64 = await client.embeddings.create({ model, input, dimensions: 16, encoding_format: 'base64' });
    const bytes = Buffer.from(base64.data[0]?.embedding as unknown as string, 'base64');
    expect(Array.from({ length: 16 }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(floats.data[0]?.embedding);
    // Without encoding_format the SDK asks for base64 and decodes it: the same floats.
    const decoded = await client.embeddings.create({ model, input, dimensions: 16 }).withResponse();
    expect(decoded.data.data[0]?.embedding).toEqual(floats.data[0]?.embedding);
    expect(decoded.response.headers.get('x-gateway-model')).toBe(model);
    expect((await mockCalls(id)).requests[0]?.body).toEqual({ model: id, input, dimensions: 16, encoding_format: 'float' });
  });

  it('lists models with models.list', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('openai/gpt-4o-mini');
  });

  it('raises AuthenticationError for a wrong gateway key', async () => {
    const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(
      wrong.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
