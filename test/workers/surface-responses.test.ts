import { APIError, BadRequestError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import { heldFetch, mockCalls, scriptedApp, settled, sseEvents } from './support/gateway.ts';
import { translatedCall as call, translatedClient as openaiClient, translatedScenario as scenario } from './support/translated.ts';

// OpenAI's Responses API as a surface of the one pipeline: the official openai SDK's `responses` talks to the
// gateway app, which answers by translation to chat completions, here from the mock upstream (as xAI: OpenAI's own
// Responses requests pass through, test/workers/surface-responses-native.test.ts).

type Json = Record<string, unknown>;

/** The chat bodies the mock upstream received for a scenario. */
const upstreamBodies = async (id: string) => (await mockCalls(id)).requests.map((r) => r.body);

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('POST /v1/responses with the openai SDK, answered by translation to chat completions', () => {
  it('responses.create answers a response object: a message item with output_text, completed, with usage', async () => {
    const { model, id } = await scenario({ content: 'Hello, Responses client.', usage: { prompt_tokens: 31, completion_tokens: 7 } });
    const { data, response } = await openaiClient()
      .responses.create({
        model,
        instructions: 'Be brief.',
        input: 'Say hello',
        max_output_tokens: 100,
        temperature: 0.5,
        metadata: { ticket: 'T-1' },
        store: true,
        include: ['reasoning.encrypted_content'],
      })
      .withResponse();
    expect(data).toMatchObject({
      object: 'response',
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: 100,
      temperature: 0.5,
      metadata: { ticket: 'T-1' },
      // Kept for this key (test/workers/surface-responses-stored.test.ts), and the answer says so.
      store: true,
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hello, Responses client.', annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 31,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 38,
      },
    });
    expect(data.id).toMatch(/^resp_/);
    expect(data.output[0]?.id).toMatch(/^msg_/);
    expect(data.output_text).toBe('Hello, Responses client.');
    expect(response.headers.get('x-gateway-model')).toBe(model);
    expect(response.headers.get('x-gateway-prompt-tokens')).toBe('31');
    const [sent] = await upstreamBodies(id);
    expect(sent).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_tokens: 100,
      temperature: 0.5,
    });
    // Neither metadata, store nor include reach a chat-completions upstream.
    expect(Object.keys(sent ?? {})).not.toEqual(expect.arrayContaining(['metadata']));
    expect(JSON.stringify(sent)).not.toMatch(/store|include|encrypted/);
  });

  it('sends input items as chat messages: developer as system, input_text and input_image parts, assistant history', async () => {
    const { model, id } = await scenario({ content: 'ok' });
    await openaiClient().responses.create({
      model,
      input: [
        { role: 'developer', content: 'Answer in French.' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Be kind.' }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A pixel.', annotations: [] }] },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
        { role: 'user', content: 'Sure?' },
      ] as never,
    });
    const [sent] = await upstreamBodies(id);
    expect(sent?.['messages']).toEqual([
      { role: 'system', content: 'Answer in French.' },
      { role: 'system', content: 'Be kind.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: 'A pixel.' },
      { role: 'user', content: 'Sure?' },
    ]);
  });

  it('streams OpenAI’s event sequence with sequence numbers, and the SDK’s final response holds the text and usage', async () => {
    const { model } = await scenario({
      content: 'Streaming through the gateway works.',
      usage: { prompt_tokens: 12, completion_tokens: 5 },
    });
    const stream = openaiClient().responses.stream({ model, input: 'Stream' });
    const events: { type: string; sequence_number: number }[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    const collapsed = types.filter((t, i) => t !== 'response.output_text.delta' || types[i - 1] !== t);
    expect(collapsed).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(2);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Streaming through the gateway works.');
    expect(final.status).toBe('completed');
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 5, total_tokens: 17 });
  });

  it('names every SSE event after the type of its data (create with stream: true)', async () => {
    const { model } = await scenario({ content: 'Raw frames.' });
    const response = await call('/v1/responses', { json: { model, stream: true, input: 'hi' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = sseEvents(await response.text());
    for (const e of events) expect((JSON.parse(e.data) as Json)['type']).toBe(e.event);
    const deltas = events.filter((e) => e.event === 'response.output_text.delta').map((e) => JSON.parse(e.data) as Json);
    expect(deltas.map((d) => d['delta']).join('')).toBe('Raw frames.');
    expect(events.at(-1)?.event).toBe('response.completed');
    const sdk = await openaiClient().responses.create({ model, input: 'hi', stream: true });
    const seen: string[] = [];
    for await (const event of sdk) seen.push(event.type);
    expect(seen.at(-1)).toBe('response.completed');
  });

  it('runs a function tool over two turns: a function_call item out, its function_call_output back as a tool message', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ id: 'call_paris', name: 'get_weather', arguments: { city: 'Paris' } }] }, { content: 'Sunny, 21 °C.' }],
    });
    const client = openaiClient();
    const first = await client.responses.create({
      model,
      input: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
    expect(first.status).toBe('completed');
    expect(first.output).toEqual([
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_/),
        call_id: 'call_paris',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
    ]);
    const second = await client.responses.create({
      model,
      tools: [WEATHER_TOOL],
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        ...(first.output as never[]),
        { type: 'function_call_output', call_id: 'call_paris', output: '{"temp":21}' },
      ],
    });
    expect(second.output_text).toBe('Sunny, 21 °C.');
    const [asked, answered] = await upstreamBodies(id);
    expect(asked).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather in a city', parameters: WEATHER_TOOL.parameters, strict: true },
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
    ]);
  });

  it('streams a function call as output_item.added, function_call_arguments deltas and done, output_item.done', async () => {
    const { model } = await scenario({ tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Lisbon' } }] });
    const stream = openaiClient().responses.stream({
      model,
      input: 'Lisbon?',
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.filter((t, i) => t !== types[i - 1])).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(types.filter((t) => t === 'response.function_call_arguments.delta').length).toBeGreaterThan(1);
    const final = await stream.finalResponse();
    expect(final.output).toMatchObject([{ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Lisbon"}' }]);
  });

  it('maps a Codex freeform custom tool to a function of one string, and answers its call as a custom_tool_call', async () => {
    const patch = '*** Begin Patch\n*** End Patch';
    const { model, id } = await scenario({ tool_calls: [{ id: 'call_patch', name: 'apply_patch', arguments: { input: patch } }] });
    const tools = [{ type: 'custom' as const, name: 'apply_patch', description: 'Apply a patch' }];
    const made = await openaiClient().responses.create({ model, input: 'Fix it', tools });
    expect(made.output).toEqual([
      { type: 'custom_tool_call', id: expect.stringMatching(/^ctc_/), call_id: 'call_patch', name: 'apply_patch', input: patch },
    ]);
    const stream = openaiClient().responses.stream({ model, input: 'Fix it', tools });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain('response.custom_tool_call_input.done');
    expect((await stream.finalResponse()).output).toMatchObject([{ type: 'custom_tool_call', input: patch }]);
    // The next turn sends the call and its output back as chat tool messages.
    await openaiClient().responses.create({
      model,
      tools,
      input: [
        { role: 'user', content: 'Fix it' },
        ...(made.output as never[]),
        { type: 'custom_tool_call_output', call_id: 'call_patch', output: 'Done!' },
      ],
    });
    const [asked, , answered] = await upstreamBodies(id);
    expect(asked?.['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'apply_patch',
          description: 'Apply a patch',
          parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
        },
      },
    ]);
    expect((answered?.['messages'] as Json[] | undefined)?.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_patch', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: patch }) } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_patch', content: 'Done!' },
    ]);
  });

  it('asks for a json_schema answer with text.format, and reads it back with output_text', async () => {
    const { model, id } = await scenario({});
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const answer = await openaiClient().responses.create({
      model,
      input: 'A city, as JSON',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    expect(answer.text).toEqual({ format: { type: 'json_schema', name: 'city', schema, strict: true } });
    expect(JSON.parse(answer.output_text)).toEqual({ city: expect.any(String) });
    const [sent] = await upstreamBodies(id);
    expect(sent?.['response_format']).toEqual({ type: 'json_schema', json_schema: { name: 'city', schema, strict: true } });
  });

  it('answers status incomplete with incomplete_details.reason max_output_tokens when the model stopped at the limit', async () => {
    const { model } = await scenario({ content: 'Cut short', finish_reason: 'length' });
    const answer = await openaiClient().responses.create({ model, input: 'Talk', max_output_tokens: 3 });
    expect(answer.status).toBe('incomplete');
    expect(answer.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(answer.output).toMatchObject([{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Cut short' }] }]);
    const stream = openaiClient().responses.stream({ model, input: 'Talk', max_output_tokens: 3 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
    const final = await stream.finalResponse();
    expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Cut short' });
  });

  it('refuses hosted tools with a 400 naming the tool, before any upstream call', async () => {
    const { model, id } = await scenario({ content: 'never' });
    const client = openaiClient();
    for (const tool of [
      { type: 'web_search' },
      { type: 'file_search', vector_store_ids: ['vs_1'] },
      { type: 'computer_use_preview', display_width: 1, display_height: 1, environment: 'browser' },
    ]) {
      const error = await client.responses.create({ model, input: 'hi', tools: [tool as never] }).catch((e: unknown) => e);
      expect(error, tool.type).toBeInstanceOf(BadRequestError);
      const e = error as BadRequestError;
      expect(e.status).toBe(400);
      expect(e.param).toBe('tools[0].type');
      expect(e.message).toContain(`the tool '${tool.type}'`);
      expect(e.message).toContain('OpenAI runs it as a hosted tool, or only its own models know how to call it');
    }
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('answers bad bodies with OpenAI’s error JSON naming the field', async () => {
    const cases: [Json, string, string][] = [
      [{ model: 'openai/gpt-4o-mini' }, 'input', "Missing required parameter: 'input'."],
      [{ model: 'openai/gpt-4o-mini', input: 'hi', max_tokens: 5 }, 'max_tokens', "Unknown parameter: 'max_tokens'."],
      [
        { model: 'openai/gpt-4o-mini', input: 'hi', previous_response_id: 'resp_1' },
        'previous_response_id',
        "Previous response with id 'resp_1' not found.",
      ],
      [{ model: 'openai/gpt-4o-mini', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', "must be one of 'user'"],
      [{ model: 'openai/gpt-4o-mini', input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].id', 'no item "msg_1"'],
      [{ model: 'openai/gpt-4o-mini', input: 'hi', temperature: 3 }, 'temperature', 'must be between 0 and 2'],
      [{ model: 'openai/gpt-4o-mini', input: 'hi', text: { format: { type: 'xml' } } }, 'text.format.type', "must be one of 'text'"],
    ];
    for (const [json, param, text] of cases) {
      const response = await call('/v1/responses', { json });
      expect(response.status, param).toBe(400);
      expect(response.headers.get('x-should-retry')).toBe('false');
      const body = await response.json<{ error: { message: string; type: string; param: string } }>();
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param });
      expect(body.error.message).toContain(text);
    }
  });

  it('carries the same text, tool call, usage and cost as /v1/chat/completions for one upstream answer', async () => {
    const { model } = await scenario({
      content: 'Checking.',
      tool_calls: [{ id: 'call_x', name: 'get_weather', arguments: { city: 'Oslo' } }],
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
    });
    const env = { MODEL_PRICES: JSON.stringify({ [model]: { input: 1, output: 2 } }) };
    const chat = await call('/v1/chat/completions', { env, json: { model, messages: [{ role: 'user', content: 'Oslo?' }] } });
    const completion = await chat.json<{
      choices: { message: { content: string; tool_calls: { id: string; function: Json }[] } }[];
      usage: Json;
    }>();
    const { data, response } = await openaiClient({ env })
      .responses.create({ model, input: 'Oslo?', tools: [WEATHER_TOOL] })
      .withResponse();
    const message = completion.choices[0]?.message;
    expect(data.output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: message?.content }] },
      { type: 'function_call', call_id: message?.tool_calls[0]?.id, ...message?.tool_calls[0]?.function },
    ]);
    expect(data.usage).toMatchObject({
      input_tokens: completion.usage['prompt_tokens'],
      output_tokens: completion.usage['completion_tokens'],
      total_tokens: completion.usage['total_tokens'],
    });
    expect(response.headers.get('x-gateway-cost-usd')).toBe(chat.headers.get('x-gateway-cost-usd'));
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.0014');
  });

  it('ends a stream that fails after its start with an error event, then response.failed', async () => {
    const { model } = await scenario({ content: 'one two three four five six', stream: { cut_after: 3 } });
    const response = await call('/v1/responses', {
      json: { model, stream: true, input: 'hi' },
      headers: { 'x-gateway-max-attempts': '1' },
    });
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text()).map((e) => ({ event: e.event, data: JSON.parse(e.data) as Json }));
    expect(events[0]?.event).toBe('response.created');
    expect(events.slice(-2).map((e) => e.event)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)?.data).toMatchObject({ type: 'error', code: expect.any(String), message: expect.any(String), param: null });
    const failed = events.at(-1)?.data['response'] as Json;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'server_error', message: expect.any(String) } });
    // The text that did arrive stays in the failed response's message item.
    expect(JSON.stringify(failed['output'])).toContain('one');
    expect(events.map((e) => e.data['sequence_number'])).toEqual(events.map((_, i) => i));
    expect(events.some((e) => e.event === 'response.completed')).toBe(false);
    const viaSdk = await openaiClient()
      .responses.stream({ model, input: 'hi' }, { headers: { 'x-gateway-max-attempts': '1' } })
      .finalResponse()
      .catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(APIError);
  });

  it('announces the response while the first token is slow, keeps the connection open with comments, then answers', async () => {
    const clock = new FakeClock();
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { model } = await scenario({ content: 'Late but whole.' });
    const pending = call('/v1/responses', { app, env: { KEEPALIVE_INTERVAL_MS: '100' }, json: { model, stream: true, input: 'hi' } });
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const response = await pending;
    expect(response.status).toBe(200);
    const read = response.text();
    // The first interval announces the response (Responses has no ping event); later ones send SSE comments.
    await clock.advanceWhenScheduled(100);
    await clock.advanceWhenScheduled(100);
    upstream.release();
    const text = await read;
    expect(text.indexOf(': ping\n\n')).toBeGreaterThan(text.indexOf('event: response.in_progress'));
    expect(text.indexOf(': ping\n\n')).toBeLessThan(text.indexOf('event: response.output_item.added'));
    const events = sseEvents(text);
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(['response.created', 'response.in_progress']);
    expect(events.filter((e) => e.event === 'response.created')).toHaveLength(1);
    const deltas = events.filter((e) => e.event === 'response.output_text.delta').map((e) => (JSON.parse(e.data) as Json)['delta']);
    expect(deltas.join('')).toBe('Late but whole.');
    // One response id from the announcement to the end, though it was chosen before the first chunk.
    const ids = new Set(
      events
        .filter((e) => e.event?.startsWith('response.') && e.data.includes('"response"'))
        .map((e) => ((JSON.parse(e.data) as Json)['response'] as Json)['id']),
    );
    expect(ids.size).toBe(1);
    expect(events.at(-1)?.event).toBe('response.completed');
  });

  it('relays an upstream rate limit before the stream as OpenAI’s 429 error JSON with its retry-after', async () => {
    const { model } = await scenario({ status: 429, headers: { 'retry-after': '7' } });
    const response = await call('/v1/responses', {
      headers: { 'x-gateway-max-attempts': '1' },
      json: { model, input: 'hi', stream: true },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    // OpenAI's own error body, relayed as /v1/chat/completions relays it.
    expect(await response.json()).toMatchObject({ error: { type: 'requests', message: expect.stringContaining('Rate limit reached') } });
    const viaSdk = await openaiClient()
      .responses.create({ model, input: 'hi' }, { headers: { 'x-gateway-max-attempts': '1' } })
      .catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(RateLimitError);
  });

  it('is answered from the pipeline’s cache: a repeated deterministic request is a HIT, as JSON and replayed as a stream', async () => {
    const { model, id } = await scenario({ content: 'Cached words here.' });
    const body = { model, temperature: 0, input: 'cache me' };
    const first = await call('/v1/responses', { json: body });
    expect(first.headers.get('x-gateway-cache')).toBe('MISS');
    const second = await call('/v1/responses', { json: body });
    expect(second.headers.get('x-gateway-cache')).toBe('HIT');
    expect(await second.json()).toMatchObject({ output: [{ content: [{ type: 'output_text', text: 'Cached words here.' }] }] });
    const streamed = await call('/v1/responses', { json: { ...body, stream: true } });
    expect(streamed.headers.get('x-gateway-cache')).toBe('HIT');
    const events = sseEvents(await streamed.text());
    await settled(streamed);
    const deltas = events.filter((e) => e.event === 'response.output_text.delta').map((e) => (JSON.parse(e.data) as Json)['delta']);
    expect(deltas.join('')).toBe('Cached words here.');
    expect(events.at(-1)?.event).toBe('response.completed');
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('reports the gateway’s own count as usage when the upstream sent none', async () => {
    const { model } = await scenario({
      body: {
        id: 'chatcmpl-nousage',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-x',
        choices: [{ index: 0, message: { role: 'assistant', content: 'No usage reported here.' }, finish_reason: 'stop' }],
      },
    });
    const { data, response } = await openaiClient().responses.create({ model, input: 'Count this prompt, please.' }).withResponse();
    expect(data.output_text).toBe('No usage reported here.');
    expect(data.usage?.input_tokens).toBeGreaterThan(0);
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(String(data.usage?.input_tokens)).toBe(response.headers.get('x-gateway-prompt-tokens'));
  });

  it('answers a request shaped as the Codex CLI sends it: dozens of tools, developer items, reasoning items, store false, encrypted reasoning asked for', async () => {
    // To a provider reached by translation: a stateless request to openai/* passes through natively instead
    // (surface-responses-native.test.ts).
    const { model, id } = await scenario({ content: 'Patched.' });
    const tools = [
      ...Array.from({ length: 40 }, (_, i) => ({
        type: 'function',
        name: `mcp__server__tool_${i}`,
        description: `Tool ${i}`,
        strict: false,
        parameters: { type: 'object', properties: { arg: { type: 'string' } }, required: [], additionalProperties: false },
      })),
      {
        type: 'function',
        name: 'shell',
        description: 'Runs a command',
        strict: false,
        parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
      },
      {
        type: 'custom',
        name: 'apply_patch',
        description: 'Edit files',
        format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
      },
    ];
    const response = await call('/v1/responses', {
      headers: { originator: 'codex_cli_rs', 'openai-beta': 'responses=experimental', session_id: 'sess-1', accept: 'text/event-stream' },
      json: {
        model,
        instructions: 'You are Codex, a coding agent.',
        input: [
          { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions instructions>' }] },
          {
            type: 'message',
            role: 'user',
            content: [{ type: 'input_text', text: '<environment_context>cwd=/repo</environment_context>' }],
          },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the typo in README.md' }] },
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Look first.' }], content: null, encrypted_content: 'gAAAA…' },
          { type: 'function_call', name: 'shell', arguments: '{"command":["cat","README.md"]}', call_id: 'call_1' },
          { type: 'function_call_output', call_id: 'call_1', output: 'Helo world' },
          {
            type: 'custom_tool_call',
            status: 'completed',
            call_id: 'call_2',
            name: 'apply_patch',
            input: '*** Begin Patch\n*** End Patch',
          },
          { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Done!' },
        ],
        tools,
        tool_choice: 'auto',
        parallel_tool_calls: false,
        reasoning: null,
        store: false,
        stream: true,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'sess-1',
        text: { verbosity: 'low' },
      },
    });
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    expect(events.at(-1)?.event).toBe('response.completed');
    const completed = JSON.parse(events.at(-1)?.data ?? '{}') as { response: Json };
    expect(completed.response).toMatchObject({
      status: 'completed',
      store: false,
      parallel_tool_calls: false,
      output: [{ type: 'message' }],
    });
    const [sent = {}] = await upstreamBodies(id);
    expect((sent['tools'] as unknown[]).length).toBe(42);
    expect(sent['parallel_tool_calls']).toBe(false);
    expect((sent['messages'] as Json[]).map((m) => m['role'])).toEqual([
      'system',
      'system',
      'user',
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
    ]);
  });
});
