import { APIError, AuthenticationError, BadRequestError, RateLimitError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicClient } from './support/anthropic-client.ts';
import { FakeClock } from './support/fake-clock.ts';
import { call, heldFetch, KEY, mockCalls, scenario, scriptedApp, settled, sseEvents } from './support/gateway.ts';

// Anthropic's Messages API as a surface of the one pipeline: the official @anthropic-ai/sdk talks to the gateway
// app, which answers with an OpenAI model from the mock upstream.

type Json = Record<string, unknown>;

/** The chat bodies the mock upstream received for a scenario. */
const upstreamBodies = async (id: string) => (await mockCalls(id)).requests.map((r) => r.body);

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('POST /v1/messages with the Anthropic SDK, answered by an OpenAI model', () => {
  it('messages.create answers an Anthropic Message: text block, end_turn, input and output tokens', async () => {
    const { model, id } = await scenario({ content: 'Hello, Claude client.', usage: { prompt_tokens: 31, completion_tokens: 7 } });
    const { data, response } = await anthropicClient()
      .messages.create({
        model,
        max_tokens: 100,
        system: 'Be brief.',
        stop_sequences: ['END'],
        messages: [{ role: 'user', content: 'Say hello' }],
      })
      .withResponse();
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello, Claude client.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 31, output_tokens: 7, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(data.id).toMatch(/^msg_/);
    expect(response.headers.get('x-gateway-model')).toBe(model);
    expect(response.headers.get('x-gateway-prompt-tokens')).toBe('31');
    const [sent] = await upstreamBodies(id);
    expect(sent).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_tokens: 100,
      stop: ['END'],
    });
  });

  it('accepts system blocks with cache_control, and sends an OpenAI model their text without it', async () => {
    const { model, id } = await scenario({ content: 'ok' });
    const message = await anthropicClient().messages.create({
      model,
      max_tokens: 50,
      system: [
        { type: 'text', text: 'You are a coding agent.' },
        { type: 'text', text: 'Long, stable instructions.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>context</system-reminder>' },
            { type: 'text', text: 'Fix the bug.', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
    const [sent] = await upstreamBodies(id);
    expect(sent?.['messages']).toEqual([
      { role: 'system', content: 'You are a coding agent.\nLong, stable instructions.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>context</system-reminder>' },
          { type: 'text', text: 'Fix the bug.' },
        ],
      },
    ]);
    expect(JSON.stringify(sent)).not.toContain('cache_control');
  });

  it('messages.stream sends exactly Anthropic’s event sequence, and the SDK assembles the message with its usage', async () => {
    const { model } = await scenario({
      content: 'Streaming through the gateway works.',
      usage: { prompt_tokens: 12, completion_tokens: 5 },
    });
    const stream = anthropicClient().messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Stream' }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const collapsed = types.filter((t, i) => t !== 'content_block_delta' || types[i - 1] !== 'content_block_delta');
    expect(collapsed).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(2);
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Streaming through the gateway works.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
  });

  it('names every SSE event after the type of its data, and each delta after its block', async () => {
    const { model } = await scenario({ content: 'Raw frames.' });
    const response = await call('/v1/messages', {
      key: null,
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      json: { model, max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = sseEvents(await response.text());
    for (const e of events) expect((JSON.parse(e.data) as Json)['type']).toBe(e.event);
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => JSON.parse(e.data) as Json);
    expect(deltas.every((d) => d['index'] === 0 && (d['delta'] as Json)['type'] === 'text_delta')).toBe(true);
    expect(deltas.map((d) => (d['delta'] as Json)['text']).join('')).toBe('Raw frames.');
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('runs a tool over two turns: tool_use out, tool_result back as the chat wire’s tool message', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ id: 'call_paris', name: 'get_weather', arguments: { city: 'Paris' } }] }, { content: 'Sunny, 21 °C.' }],
    });
    const client = anthropicClient();
    const first = await client.messages.create({
      model,
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toEqual({ type: 'tool_use', id: 'call_paris', name: 'get_weather', input: { city: 'Paris' } });
    const second = await client.messages.create({
      model,
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_paris', content: [{ type: 'text', text: '{"temp":21}' }] },
            { type: 'text', text: 'Answer in one line.' },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Sunny, 21 °C.' }]);
    expect(second.stop_reason).toBe('end_turn');
    const [asked, answered] = await upstreamBodies(id);
    expect(asked).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather in a city', parameters: WEATHER_TOOL.input_schema },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
    expect(answered?.['messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_paris', content: '{"temp":21}' },
      { role: 'user', content: 'Answer in one line.' },
    ]);
  });

  it('streams a tool call as a tool_use block whose input arrives in input_json_delta fragments', async () => {
    const { model } = await scenario({ tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Lisbon' } }] });
    const stream = anthropicClient().messages.stream({
      model,
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'Lisbon?' }],
    });
    const fragments: string[] = [];
    stream.on('inputJson', (partial) => fragments.push(partial));
    const message = await stream.finalMessage();
    expect(fragments.length).toBeGreaterThan(1);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Lisbon' } }]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('counts tokens for any model, Anthropic’s without its key too, in Anthropic’s shape', async () => {
    const client = anthropicClient();
    const params = {
      system: 'You are terse.',
      messages: [{ role: 'user' as const, content: 'How many tokens is this sentence?' }],
    };
    const openai = await client.messages.countTokens({ model: 'openai/gpt-4o', ...params });
    expect(Object.keys(openai)).toEqual(['input_tokens']);
    // The same conversation through the gateway's own counting route gives the same number.
    const own = await call('/v1/tokens/count', {
      json: {
        model: 'openai/gpt-4o',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'How many tokens is this sentence?' },
        ],
      },
    });
    expect(openai.input_tokens).toBe((await own.json<{ tokens: number }>()).tokens);
    for (const model of ['claude-sonnet-4-5', 'claude-3-5-haiku-latest', 'anthropic/claude-haiku-4-5']) {
      const counted = await client.messages.countTokens({ model, ...params, tools: [WEATHER_TOOL] });
      expect(counted.input_tokens).toBeGreaterThan(openai.input_tokens);
    }
  });

  it('answers a bad key with 401 authentication_error and a bad body with 400 invalid_request_error, in Anthropic’s shape', async () => {
    const bad = await anthropicClient({ apiKey: 'not-a-gateway-key' })
      .messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AuthenticationError);
    expect((bad as AuthenticationError).error).toEqual({
      type: 'error',
      error: {
        type: 'authentication_error',
        message:
          "Invalid gateway key: this gateway knows no such key. Check the key you send (Authorization: Bearer <key>), or ask the gateway's owner for one.",
      },
    });

    const noKey = await call('/v1/messages', { key: null, json: { model: 'x', max_tokens: 1, messages: [] } });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const missing = await call('/v1/messages', { json: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-should-retry')).toBe('false');
    expect(await missing.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required.' },
    });

    const client = anthropicClient();
    const cases: [Json, string][] = [
      [{ max_token: 5 }, 'max_token: Extra inputs are not permitted.'],
      [{ messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role: must be one of "user", "assistant".'],
      [{ messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'messages.0.content.0.type: blocks of type "video"'],
      [{ temperature: 1.5 }, 'temperature: must be between 0 and 1; got 1.5.'],
      [
        { tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
        `"web_search" (web_search_20250305) is one of Anthropic's server tools`,
      ],
      [{ mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }, 'mcp_servers: is not supported'],
    ];
    for (const [extra, text] of cases) {
      const error = await client.messages
        .create({ model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], ...extra } as never)
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(extra)).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(((error as BadRequestError).error as { error: { message: string } }).error.message).toContain(text);
    }
  });

  it('takes the key as Authorization: Bearer (Claude Code’s ANTHROPIC_AUTH_TOKEN) and tolerates ?beta=true and anthropic-beta', async () => {
    const { model } = await scenario({ content: 'beta ok' });
    const viaBearer = await anthropicClient({ apiKey: null, authToken: KEY }).messages.create({
      model,
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(viaBearer.content).toEqual([{ type: 'text', text: 'beta ok' }]);
    const beta = await anthropicClient().beta.messages.create({
      model,
      max_tokens: 10,
      betas: ['interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14'],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(beta.content).toEqual([{ type: 'text', text: 'beta ok' }]);
    const countBeta = await call('/v1/messages/count_tokens?beta=true', {
      json: { model, messages: [{ role: 'user', content: 'hi' }] },
      headers: { 'anthropic-beta': 'token-counting-2024-11-01' },
    });
    expect(countBeta.status).toBe(200);
  });

  it('resolves bare Claude names to anthropic/, unless MODEL_ALIASES maps them elsewhere', async () => {
    const { model } = await scenario({ content: 'aliased' });
    const aliased = await anthropicClient({ env: { MODEL_ALIASES: JSON.stringify({ 'claude-sonnet-4-5': model }) } })
      .messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(aliased.data.content).toEqual([{ type: 'text', text: 'aliased' }]);
    expect(aliased.response.headers.get('x-gateway-model')).toBe(model);
    const unmapped = await anthropicClient()
      .messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unmapped).toBeInstanceOf(APIError);
    expect((unmapped as APIError).status).toBe(500);
    expect((unmapped as APIError).error).toMatchObject({
      type: 'error',
      error: {
        type: 'api_error',
        message: expect.stringContaining('Provider anthropic is not configured: set the secret ANTHROPIC_API_KEY'),
      },
    });
  });

  it('ends a stream that fails after its start with event: error carrying Anthropic’s error object', async () => {
    const { model } = await scenario({ content: 'one two three four five six', stream: { cut_after: 3 } });
    const response = await call('/v1/messages', {
      json: { model, max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] },
      headers: { 'x-gateway-max-attempts': '1' },
    });
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    expect(events[0]?.event).toBe('message_start');
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    expect(JSON.parse(last?.data ?? '{}')).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.any(String) } });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
    const viaSdk = await anthropicClient()
      .messages.stream({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(APIError);
  });

  it('carries the same text, tool call, usage and cost as /v1/chat/completions for one upstream answer', async () => {
    const { model } = await scenario({
      content: 'Checking.',
      tool_calls: [{ id: 'call_x', name: 'get_weather', arguments: { city: 'Oslo' } }],
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
    });
    const env = { MODEL_PRICES: JSON.stringify({ [model]: { input: 1, output: 2 } }) };
    const chat = await call('/v1/chat/completions', { env, json: { model, messages: [{ role: 'user', content: 'Oslo?' }] } });
    const completion = await chat.json<{ choices: { message: { content: string; tool_calls: Json[] } }[]; usage: Json }>();
    const { data, response } = await anthropicClient({ env })
      .messages.create({ model, max_tokens: 300, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Oslo?' }] })
      .withResponse();
    expect(data.content).toEqual([
      { type: 'text', text: completion.choices[0]?.message.content },
      { type: 'tool_use', id: 'call_x', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(data.usage).toMatchObject({
      input_tokens: completion.usage['prompt_tokens'],
      output_tokens: completion.usage['completion_tokens'],
    });
    expect(response.headers.get('x-gateway-cost-usd')).toBe(chat.headers.get('x-gateway-cost-usd'));
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.0014');
  });

  it('sends message_start, then Anthropic ping events while the first token is slow, then the answer', async () => {
    const clock = new FakeClock();
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { model } = await scenario({ content: 'Late but whole.' });
    const pending = call('/v1/messages', {
      app,
      env: { KEEPALIVE_INTERVAL_MS: '100' },
      json: { model, max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    // Past the first interval the gateway commits to a 200 stream, then pings every 100 ms until the answer.
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const response = await pending;
    expect(response.status).toBe(200);
    const read = response.text();
    await clock.advanceWhenScheduled(100);
    await clock.advanceWhenScheduled(100);
    upstream.release();
    const events = sseEvents(await read);
    expect(events.slice(0, 3).map((e) => e.event)).toEqual(['message_start', 'ping', 'ping']);
    expect(JSON.parse(events[1]?.data ?? '')).toEqual({ type: 'ping' });
    expect(events.filter((e) => e.event === 'message_start')).toHaveLength(1);
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => ((JSON.parse(e.data) as Json)['delta'] as Json)['text'])
      .join('');
    expect(text).toBe('Late but whole.');
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('relays an upstream rate limit as 429 rate_limit_error with its retry-after', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '7' } });
    const response = await call('/v1/messages', {
      headers: { 'x-gateway-max-attempts': '1' },
      json: { model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const viaSdk = await anthropicClient()
      .messages.create(
        { model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-gateway-max-attempts': '1' } },
      )
      .catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(RateLimitError);
  });

  it('is answered from the pipeline’s cache: a repeated deterministic request is a HIT, as JSON and replayed as a stream', async () => {
    const { model, id } = await scenario({ content: 'Cached words here.' });
    const body = { model, max_tokens: 20, temperature: 0, messages: [{ role: 'user', content: 'cache me' }] };
    const first = await call('/v1/messages', { json: body });
    expect(first.headers.get('x-gateway-cache')).toBe('MISS');
    const second = await call('/v1/messages', { json: body });
    expect(second.headers.get('x-gateway-cache')).toBe('HIT');
    expect(await second.json()).toMatchObject({ content: [{ type: 'text', text: 'Cached words here.' }] });
    const streamed = await call('/v1/messages', { json: { ...body, stream: true } });
    expect(streamed.headers.get('x-gateway-cache')).toBe('HIT');
    const events = sseEvents(await streamed.text());
    await settled(streamed);
    expect(events.map((e) => e.event).filter((e, i, all) => e !== 'content_block_delta' || all[i - 1] !== e)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('reports the gateway’s own count as usage when the upstream sent none (Anthropic’s answers always carry usage)', async () => {
    const { model } = await scenario({
      body: {
        id: 'chatcmpl-nousage',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-x',
        choices: [{ index: 0, message: { role: 'assistant', content: 'No usage reported here.' }, finish_reason: 'stop' }],
      },
    });
    const { data, response } = await anthropicClient()
      .messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: 'Count this prompt, please.' }] })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'No usage reported here.' }]);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(String(data.usage.input_tokens)).toBe(response.headers.get('x-gateway-prompt-tokens'));
  });
});
