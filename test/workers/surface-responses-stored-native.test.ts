import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type ModelMessage } from 'ai';
import { BadRequestError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { StoredResponses } from '../../src/responses-store/stored-responses.ts';
import { replayedItems } from '../../src/wire/openai-responses/stored.ts';
import { gatewayFetch } from './support/anthropic-client.ts';
import { call, KEY, mockCalls, scenario, settled, sseEvents } from './support/gateway.ts';
import { openaiClient } from './support/openai-client.ts';

// Stored responses to openai/* pass through to OpenAI's Responses API as stateless requests (`store: false`, a
// continuation's stored conversation expanded into `input`), and the gateway keeps them as it keeps translated ones:
// retrievable by the id the client got (OpenAI's own), listed input items, continued, never another key's.

type Json = Record<string, unknown>;

const OTHER_KEY = 'gw-test-key-2';

/** The Responses bodies the mock upstream received for a scenario, and where. */
const upstream = async (id: string) => (await mockCalls(id)).requests.map((r) => ({ url: r.url, body: r.body }));

/** Items as a continuation sends them back: without their ids. */
const withoutIds = (items: readonly unknown[]) => items.map((item) => ({ ...(item as Json), id: undefined }));

/** What a call with the openai SDK threw. */
const thrown = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('stored responses to openai/* pass through natively', () => {
  it('stores a store:true answer (OpenAI asked store:false) under the id the client got; input_items lists its input; another key gets 404', async () => {
    const { model, id } = await scenario({ content: 'Kept natively.' });
    const client = openaiClient();
    const created = await client.responses.create({ model, input: 'Remember this', store: true });
    const [sent] = await upstream(id);
    expect(sent?.url).toBe('/v1/responses');
    expect(sent?.body).toMatchObject({ input: 'Remember this', store: false });
    expect(created.id).toMatch(/^resp_mock_/);
    expect((created as unknown as Json)['store']).toBe(true);
    expect(created.output_text).toBe('Kept natively.');
    expect(await client.responses.retrieve(created.id)).toEqual(created);
    const items = await client.responses.inputItems.list(created.id);
    expect(items.data).toEqual([
      { id: expect.any(String), type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Remember this' }] },
    ]);
    const other = openaiClient({ apiKey: OTHER_KEY });
    expect(await thrown(other.responses.retrieve(created.id))).toBeInstanceOf(NotFoundError);
    expect(await thrown(other.responses.inputItems.list(created.id))).toBeInstanceOf(NotFoundError);
    expect(await thrown(other.responses.create({ model, input: 'hi', previous_response_id: created.id }))).toBeInstanceOf(BadRequestError);
    expect((await upstream(id)).length).toBe(1);
  });

  it('stores a streamed answer when OpenAI’s response.completed comes, relaying the rest as it came', async () => {
    const { model, id } = await scenario({ content: 'Streamed and kept.' });
    const response = await call('/v1/responses', { json: { model, input: 'hi', stream: true } });
    const events = sseEvents(await response.text());
    await settled(response);
    expect((await upstream(id))[0]?.body).toMatchObject({ stream: true, store: false });
    expect(events[0]?.event).toBe('response.created');
    const completed = events.at(-1);
    expect(completed?.event).toBe('response.completed');
    const final = (JSON.parse(completed?.data ?? '{}') as Json)['response'] as Json;
    expect(final).toMatchObject({ id: expect.stringMatching(/^resp_mock_/), store: true, status: 'completed' });
    const retrieved = await call(`/v1/responses/${String(final['id'])}`);
    expect(await retrieved.json()).toEqual(final);
  });

  it('continues with previous_response_id: OpenAI gets every earlier input and output item, then the new input, store false, no previous_response_id', async () => {
    const { model, id } = await scenario({
      steps: [{ content: 'Nice to meet you, Ada.' }, { content: 'Your name is Ada.' }, { content: 'Ada Lovelace.' }],
    });
    const client = openaiClient();
    const first = await client.responses.create({ model, instructions: 'Be warm.', input: 'My name is Ada.' });
    const second = await client.responses.create({
      model,
      instructions: 'Be brief.',
      previous_response_id: first.id,
      input: [{ role: 'user', content: 'What is my name?' }],
    });
    expect(second.output_text).toBe('Your name is Ada.');
    expect(second.previous_response_id).toBe(first.id);
    const third = await client.responses.create({ model, previous_response_id: second.id, input: 'And my full name?' });
    expect(third.output_text).toBe('Ada Lovelace.');
    expect(await client.responses.retrieve(third.id)).toEqual(third);

    const [, secondSent, thirdSent] = await upstream(id);
    const turn1 = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'My name is Ada.' }] }];
    const turn2 = [{ role: 'user', content: 'What is my name?' }];
    // JSON drops the `id: undefined` of withoutIds, as the request did.
    const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
    expect(secondSent?.url).toBe('/v1/responses');
    expect(secondSent?.body).toEqual({
      model: expect.any(String),
      instructions: 'Be brief.',
      input: json([...turn1, ...withoutIds(first.output), ...turn2]),
      store: false,
    });
    expect(thirdSent?.body['input']).toEqual(
      json([
        ...turn1,
        ...withoutIds(first.output),
        ...turn2,
        ...withoutIds(second.output),
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And my full name?' }] },
      ]),
    );
    expect(thirdSent?.body).not.toHaveProperty('previous_response_id');
    expect(thirdSent?.body).not.toHaveProperty('instructions');
  });

  it('continues after a function call with only the function_call_output as input', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ id: 'call_lisbon', name: 'get_weather', arguments: { city: 'Lisbon' } }] }, { content: 'Sunny.' }],
    });
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }];
    const client = openaiClient();
    const first = await client.responses.create({ model, tools, input: 'Weather in Lisbon?' });
    expect(first.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_lisbon' });
    const output = { type: 'function_call_output' as const, call_id: 'call_lisbon', output: '{"sky":"clear"}' };
    const second = await client.responses.create({ model, tools, previous_response_id: first.id, input: [output] });
    expect(second.output_text).toBe('Sunny.');
    const [, sent] = await upstream(id);
    expect(((sent?.body['input'] ?? []) as Json[]).map((item) => [item['type'], item['call_id'] ?? null])).toEqual([
      ['message', null],
      ['function_call', 'call_lisbon'],
      ['function_call_output', 'call_lisbon'],
    ]);
  });

  it('sends a store:true client’s own items as replayed ones: no ids OpenAI never kept, no reasoning item it cannot read', async () => {
    const { model, id } = await scenario({ content: 'ok' });
    const input = [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
      { id: 'rs_1', type: 'reasoning', summary: [] },
      { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'done' },
    ];
    const stateless = await scenario({ content: 'ok' });
    await call('/v1/responses', { json: { model, input } });
    await call('/v1/responses', { json: { model: stateless.model, input, store: false } });
    expect((await upstream(id))[0]?.body['input']).toEqual([
      input[0],
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
      input[3],
    ]);
    // A stateless client (store:false) knows nothing is kept: its items go as it sent them.
    expect((await upstream(stateless.id))[0]?.body['input']).toEqual(input);
  });

  it('stores a cache hit too: the translated answer, under the gateway’s own id', async () => {
    const { model, id } = await scenario({ content: 'Cached and kept.' });
    const body = { model, temperature: 0, input: 'cache me' };
    const first = await call('/v1/responses', { json: { ...body, stream: true } });
    expect(first.headers.get('x-gateway-cache')).toBe('MISS');
    const events = sseEvents(await first.text());
    await settled(first);
    const relayed = (JSON.parse(events.at(-1)?.data ?? '{}') as Json)['response'] as Json;
    expect(relayed['id']).toMatch(/^resp_mock_/);
    expect((await call(`/v1/responses/${String(relayed['id'])}`)).status).toBe(200);
    const second = await call('/v1/responses', { json: body });
    expect(second.headers.get('x-gateway-cache')).toBe('HIT');
    const hit = (await second.json()) as Json;
    expect(hit).toMatchObject({ id: expect.stringMatching(/^resp_[0-9a-f]{48}$/), store: true });
    expect(await (await call(`/v1/responses/${String(hit['id'])}`)).json()).toEqual(hit);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('refuses a previous_response_id that was never stored with OpenAI’s 400, before any upstream call', async () => {
    const { model, id } = await scenario({ content: 'unused' });
    const error = await thrown(openaiClient().responses.create({ model, input: 'hi', previous_response_id: 'resp_nope' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({ code: 'previous_response_not_found', param: 'previous_response_id' });
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('continues a conversation of @ai-sdk/openai, whose item_reference names OpenAI’s own output item', async () => {
    const { model, id } = await scenario({ steps: [{ content: 'Hello, Ada.' }, { content: 'You are Ada.' }] });
    const openai = createOpenAI({ baseURL: 'http://gateway.test/v1', apiKey: KEY, fetch: gatewayFetch() });
    const messages: ModelMessage[] = [{ role: 'user', content: 'I am Ada.' }];
    const first = await generateText({ model: openai(model), messages });
    messages.push(...first.response.messages, { role: 'user', content: 'Who am I?' });
    const second = await generateText({ model: openai(model), messages });
    expect(second.text).toBe('You are Ada.');
    const [, sent] = await upstream(id);
    const input = sent?.body['input'] as Json[];
    expect(input[1]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, Ada.' }] });
    expect(input.some((item) => item['type'] === 'item_reference')).toBe(false);
  });
});

describe('responses stored before the conversation was kept as items', () => {
  it('gets the items column on a table made without it, and continues such an entry translated, from its chat messages', async () => {
    const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(OTHER_KEY))), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    const stub = env.RESPONSES.get(env.RESPONSES.idFromName(hash));
    const old = `resp_${'ab'.repeat(24)}`;
    const columns = await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(`DROP TABLE IF EXISTS responses;
        CREATE TABLE responses (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
          response TEXT NOT NULL, messages TEXT NOT NULL, input TEXT NOT NULL)`);
      const messages = [
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello, Ada.' },
      ];
      state.storage.sql.exec(
        'INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?)',
        old,
        Date.now(),
        Date.now() + 86_400_000,
        JSON.stringify({ id: old, object: 'response', output: [] }),
        JSON.stringify(messages),
        '[]',
      );
      new StoredResponses(state, env);
      return state.storage.sql
        .exec<{ name: string }>('PRAGMA table_info(responses)')
        .toArray()
        .map((c) => c.name);
    });
    expect(columns).toContain('items');
    const { model, id } = await scenario({ steps: [{ content: 'You are Ada.' }, { content: 'Still Ada.' }] });
    const client = openaiClient({ apiKey: OTHER_KEY });
    const second = await client.responses.create({ model, previous_response_id: old, input: 'Who am I?' });
    expect(second.output_text).toBe('You are Ada.');
    const third = await client.responses.create({ model, previous_response_id: second.id, input: 'Again?' });
    expect(third.output_text).toBe('Still Ada.');
    const sent = await upstream(id);
    expect(sent.map((r) => r.url)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    expect(sent[0]?.body['messages']).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello, Ada.' },
      { role: 'user', content: 'Who am I?' },
    ]);
  });
});

describe('a stored conversation as the input of a stateless request', () => {
  it('drops item ids, and reasoning items without encrypted_content; keeps those with it whole', () => {
    const items = [
      { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
      { id: 'rs_1', type: 'reasoning', summary: [] },
      { id: 'rs_2', type: 'reasoning', summary: [], encrypted_content: 'gAAA' },
      { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
    ];
    expect(replayedItems(items)).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
      { id: 'rs_2', type: 'reasoning', summary: [], encrypted_content: 'gAAA' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
    ]);
  });
});
