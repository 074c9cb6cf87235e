import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type ModelMessage } from 'ai';
import { BadRequestError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import { gatewayFetch } from './support/anthropic-client.ts';
import { heldFetch, KEY, mockCalls, scriptedApp, sseEvents } from './support/gateway.ts';
import { GatewayError } from '../../src/errors.ts';
import { inputItemsPage, itemPlace } from '../../src/wire/openai-responses/stored.ts';
import {
  TRANSLATED_ENV,
  translatedCall as call,
  translatedClient as openaiClient,
  translatedScenario as scenario,
} from './support/translated.ts';

// Stored responses (issue 21): `store` (default true) keeps a response in the caller's key's Durable Object;
// `GET`/`DELETE /v1/responses/{id}` and `previous_response_id` reach only that key's responses. The official
// openai SDK is the client; the mock upstream shows what a continuation sent (as xAI, by translation; OpenAI's own
// Responses requests pass through, and are stored alike: surface-responses-stored-native.test.ts).

type Json = Record<string, unknown>;

const OTHER_KEY = 'gw-test-key-2';
const DAY_MS = 86_400_000;

/** The chat messages the mock upstream received, per call of a scenario. */
const upstreamMessages = async (id: string) => (await mockCalls(id)).requests.map((r) => r.body['messages']);

/** What a call with the openai SDK threw. */
const thrown = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('stored responses: store, retrieve, continue, delete', () => {
  it('keeps a response by default: responses.retrieve(id) right after create gives the same response', async () => {
    const { model } = await scenario({ content: 'Kept for later.', usage: { prompt_tokens: 9, completion_tokens: 3 } });
    const client = openaiClient();
    const created = await client.responses.create({ model, input: 'Remember this', metadata: { run: 'r1' } });
    expect((created as unknown as Json)['store']).toBe(true);
    expect(created.id).toMatch(/^resp_[0-9a-f]{48}$/);
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toEqual(created);
    expect(retrieved.output_text).toBe('Kept for later.');
  });

  it('continues a stored conversation with previous_response_id: the upstream gets every earlier turn, not the earlier instructions', async () => {
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
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('Your name is Ada.');
    const third = await client.responses.create({ model, previous_response_id: second.id, input: 'And my full name?' });
    expect(third.output_text).toBe('Ada Lovelace.');
    const [, secondSent, thirdSent] = await upstreamMessages(id);
    expect(secondSent).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    expect(thirdSent).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
      { role: 'assistant', content: 'Your name is Ada.' },
      { role: 'user', content: 'And my full name?' },
    ]);
  });

  it('continues after a function call with only the function_call_output as input', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: [{ id: 'call_lisbon', name: 'get_weather', arguments: { city: 'Lisbon' } }] }, { content: 'Sunny.' }],
    });
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }];
    const client = openaiClient();
    const first = await client.responses.create({ model, tools, input: 'Weather in Lisbon?' });
    expect(first.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_lisbon' });
    const second = await client.responses.create({
      model,
      tools,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_lisbon', output: '{"sky":"clear"}' }],
    });
    expect(second.output_text).toBe('Sunny.');
    const [, sent] = await upstreamMessages(id);
    expect(sent).toEqual([
      { role: 'user', content: 'Weather in Lisbon?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_lisbon', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_lisbon', content: '{"sky":"clear"}' },
    ]);
  });

  it('stores a streamed response when its stream completes, not before: retrieve finds the final response', async () => {
    const clock = new FakeClock(Date.now());
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { model } = await scenario({ content: 'Streamed and stored.' });
    const pending = call('/v1/responses', { app, env: { KEEPALIVE_INTERVAL_MS: '100' }, json: { model, stream: true, input: 'hi' } });
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const response = await pending;
    const reader = response.body!.getReader();
    // The next keep-alive interval announces the response while the upstream is still held.
    const reading = reader.read();
    await clock.advanceWhenScheduled(100);
    const first = new TextDecoder().decode((await reading).value);
    const announced = (JSON.parse(sseEvents(first)[0]?.data ?? '{}') as { response: Json }).response;
    expect(announced['store']).toBe(true);
    const client = openaiClient({ app });
    // Announced, not finished: nothing is stored yet.
    expect(await thrown(client.responses.retrieve(String(announced['id'])))).toBeInstanceOf(NotFoundError);
    upstream.release();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    const completed = sseEvents(rest).at(-1);
    expect(completed?.event).toBe('response.completed');
    const final = (JSON.parse(completed?.data ?? '{}') as { response: Json }).response;
    // The completed event went out after the write, so the response is there as soon as the client sees it.
    expect(await client.responses.retrieve(String(final['id']))).toEqual({ ...final, output_text: 'Streamed and stored.' });
  });

  it('stores a stream read with the SDK, and continues from it', async () => {
    const { model, id } = await scenario({ steps: [{ content: 'First, streamed.' }, { content: 'Second.' }] });
    const client = openaiClient();
    const final = await client.responses.stream({ model, input: 'Go' }).finalResponse();
    expect((await client.responses.retrieve(final.id)).output_text).toBe('First, streamed.');
    await client.responses.create({ model, previous_response_id: final.id, input: 'Again' });
    const [, sent] = await upstreamMessages(id);
    expect(sent).toEqual([
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: 'First, streamed.' },
      { role: 'user', content: 'Again' },
    ]);
  });

  it('keeps nothing of a stream that fails: retrieve and previous_response_id find no such response', async () => {
    const { model } = await scenario({ content: 'one two three four five six', stream: { cut_after: 3 } });
    const response = await call('/v1/responses', {
      json: { model, stream: true, input: 'hi' },
      headers: { 'x-gateway-max-attempts': '1' },
    });
    const events = sseEvents(await response.text());
    expect(events.at(-1)?.event).toBe('response.failed');
    const failed = (JSON.parse(events.at(-1)?.data ?? '{}') as { response: Json }).response;
    expect(await thrown(openaiClient().responses.retrieve(String(failed['id'])))).toBeInstanceOf(NotFoundError);
  });

  it('keeps nothing with store: false, streamed or not (retrieve is a 404, continuing a 400)', async () => {
    const { model } = await scenario({ content: 'Not kept.' });
    const client = openaiClient();
    const plain = await client.responses.create({ model, input: 'hi', store: false });
    expect((plain as unknown as Json)['store']).toBe(false);
    const streamed = await client.responses.stream({ model, input: 'hi', store: false }).finalResponse();
    expect((streamed as unknown as Json)['store']).toBe(false);
    for (const id of [plain.id, streamed.id]) {
      expect(await thrown(client.responses.retrieve(id))).toBeInstanceOf(NotFoundError);
      expect(await thrown(client.responses.create({ model, input: 'more', previous_response_id: id }))).toBeInstanceOf(BadRequestError);
    }
  });

  it('deletes a response: DELETE answers deleted, then retrieve and delete are 404 and continuing is a 400', async () => {
    const { model } = await scenario({ content: 'Short-lived.' });
    const client = openaiClient();
    const created = await client.responses.create({ model, input: 'hi' });
    const response = await call(`/v1/responses/${created.id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: created.id, object: 'response', deleted: true });
    expect(await thrown(client.responses.retrieve(created.id))).toBeInstanceOf(NotFoundError);
    expect(await thrown(client.responses.delete(created.id))).toBeInstanceOf(NotFoundError);
    const continued = await thrown(client.responses.create({ model, input: 'more', previous_response_id: created.id }));
    expect(continued).toBeInstanceOf(BadRequestError);
    expect((continued as BadRequestError).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
  });

  it('never shows a key another key’s response: retrieve, delete and input_items are 404 as for an unknown id, continuing a 400', async () => {
    const { model, id } = await scenario({ content: 'Mine alone.' });
    const mine = await openaiClient().responses.create({ model, input: 'secret plan' });
    const other = openaiClient({ apiKey: OTHER_KEY });
    const unknown = await call('/v1/responses/resp_0000', { key: OTHER_KEY });
    const unknownBody = (await unknown.json()) as { error: Json };
    for (const [method, path] of [
      ['GET', `/v1/responses/${mine.id}`],
      ['DELETE', `/v1/responses/${mine.id}`],
      ['GET', `/v1/responses/${mine.id}/input_items`],
    ] as const) {
      const response = await call(path, { method, key: OTHER_KEY });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('x-should-retry')).toBe('false');
      const body = (await response.json()) as { error: Json };
      // The same answer as for an id no one has, but for the id it names.
      expect(body).toEqual({ error: { ...unknownBody.error, message: `Response with id '${mine.id}' not found.` } });
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'response_not_found', param: null });
    }
    expect(await thrown(other.responses.create({ model, input: 'tell me', previous_response_id: mine.id }))).toBeInstanceOf(
      BadRequestError,
    );
    // The other key's delete deleted nothing, and its continuation never reached the upstream.
    expect((await openaiClient().responses.retrieve(mine.id)).output_text).toBe('Mine alone.');
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('lists a response’s input items with ids, newest first, as OpenAI’s list object', async () => {
    const { model } = await scenario({ content: 'Listed.' });
    const client = openaiClient();
    const created = await client.responses.create({
      model,
      input: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
      ],
    });
    const page = await client.responses.inputItems.list(created.id);
    expect(page.data.map((item) => item.type)).toEqual(['message', 'message']);
    expect(page.data.map((item) => (item as { role: string }).role)).toEqual(['user', 'developer']);
    for (const item of page.data) expect(item.id).toMatch(/^msg_/);
    const asc = await call(`/v1/responses/${created.id}/input_items?order=asc&limit=1`);
    expect(await asc.json()).toMatchObject({ object: 'list', data: [{ role: 'developer' }], has_more: true });
  });

  it('puts the stored item in place of an item_reference to an output or input item of a stored response', async () => {
    const { model, id } = await scenario({ steps: [{ content: 'Forty-two.' }, { content: 'Yes.' }] });
    const client = openaiClient();
    const first = await client.responses.create({ model, input: 'The answer?' });
    const inputs = await client.responses.inputItems.list(first.id);
    await client.responses.create({
      model,
      input: [
        { type: 'item_reference', id: String(inputs.data[0]?.id) },
        { type: 'item_reference', id: String(first.output[0]?.id) },
        { role: 'user', content: 'Sure?' },
      ],
    });
    const [, sent] = await upstreamMessages(id);
    expect(sent).toEqual([
      { role: 'user', content: 'The answer?' },
      { role: 'assistant', content: 'Forty-two.' },
      { role: 'user', content: 'Sure?' },
    ]);
    // Another key's items are not there to refer to.
    const foreign = await thrown(
      openaiClient({ apiKey: OTHER_KEY }).responses.create({ model, input: [{ type: 'item_reference', id: String(first.output[0]?.id) }] }),
    );
    expect(foreign).toBeInstanceOf(BadRequestError);
    expect((foreign as BadRequestError).error).toMatchObject({ param: 'input[0].id' });
    expect((await mockCalls(id)).count).toBe(2);
  });

  it('continues a conversation of @ai-sdk/openai, which sends earlier answers as item_reference when store is on', async () => {
    const { model, id } = await scenario({ steps: [{ content: 'Hello, Ada.' }, { content: 'You are Ada.' }] });
    const openai = createOpenAI({ baseURL: 'http://gateway.test/v1', apiKey: KEY, fetch: gatewayFetch({ env: TRANSLATED_ENV }) });
    const messages: ModelMessage[] = [{ role: 'user', content: 'I am Ada.' }];
    const first = await generateText({ model: openai(model), messages });
    messages.push(...first.response.messages, { role: 'user', content: 'Who am I?' });
    const second = await generateText({ model: openai(model), messages });
    expect(second.text).toBe('You are Ada.');
    const [request] = (await mockCalls(id)).requests.slice(1);
    expect(request?.body['messages']).toEqual([
      { role: 'user', content: 'I am Ada.' },
      { role: 'assistant', content: 'Hello, Ada.' },
      { role: 'user', content: 'Who am I?' },
    ]);
  });

  it('refuses a previous_response_id that was never stored with OpenAI’s 400, before any upstream call', async () => {
    const { model, id } = await scenario({ content: 'unused' });
    const error = await thrown(openaiClient().responses.create({ model, input: 'hi', previous_response_id: 'resp_nope' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain("Previous response with id 'resp_nope' not found.");
    expect((await mockCalls(id)).count).toBe(0);
  });
});

describe('stored responses: retention and caps', () => {
  it('keeps a response for RESPONSES_RETENTION_DAYS by the app’s clock, then forgets it (no continuation either)', async () => {
    const clock = new FakeClock(Date.now());
    const { app } = scriptedApp({ clock });
    const { model } = await scenario({ content: 'For a while.' });
    const client = openaiClient({ app, env: { RESPONSES_RETENTION_DAYS: '7' } });
    const created = await client.responses.create({ model, input: 'hi' });
    await clock.advance(7 * DAY_MS - 1000);
    expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
    await clock.advance(1000);
    expect(await thrown(client.responses.retrieve(created.id))).toBeInstanceOf(NotFoundError);
    expect(await thrown(client.responses.create({ model, input: 'more', previous_response_id: created.id }))).toBeInstanceOf(
      BadRequestError,
    );
  });

  it('deletes expired responses by its alarm, keeping those whose time has not come', async () => {
    const stub = env.RESPONSES.get(env.RESPONSES.idFromName(`alarm-${crypto.randomUUID()}`));
    const entry = (id: string) => ({ id, response: '{}', messages: '[]', input: '[]', items: null });
    const past = Date.now() - 40 * DAY_MS;
    await stub.put(entry('resp_old'), { now: past, retentionMs: 30 * DAY_MS, maxRows: 10 });
    await stub.put(entry('resp_new'), { now: Date.now(), retentionMs: 30 * DAY_MS, maxRows: 10 });
    // The alarm runs on the real clock: the old entry's time has passed, the new one's has not.
    await runDurableObjectAlarm(stub);
    // Asked at the old entry's own time, so only the alarm can have removed it.
    expect(await stub.get('resp_old', past)).toBeNull();
    expect(await stub.get('resp_new', Date.now())).toMatchObject({ id: 'resp_new' });
  });

  it('keeps at most RESPONSES_MAX_PER_KEY responses per key, dropping the oldest', async () => {
    const { model } = await scenario({ content: 'One of many.' });
    const client = openaiClient({ env: { RESPONSES_MAX_PER_KEY: '2' } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.responses.create({ model, input: `turn ${i}` })).id);
    expect(await thrown(client.responses.retrieve(ids[0]!))).toBeInstanceOf(NotFoundError);
    for (const id of ids.slice(1)) expect((await client.responses.retrieve(id)).id).toBe(id);
  });

  it('answers store: false and keeps nothing when the response is larger than RESPONSES_MAX_BYTES', async () => {
    const { model } = await scenario({ content: 'x'.repeat(2000) });
    const client = openaiClient({ env: { RESPONSES_MAX_BYTES: '1000' } });
    const created = await client.responses.create({ model, input: 'Write a lot' });
    expect((created as unknown as Json)['store']).toBe(false);
    expect(await thrown(client.responses.retrieve(created.id))).toBeInstanceOf(NotFoundError);
    const streamed = await client.responses.stream({ model, input: 'Write a lot' }).finalResponse();
    expect((streamed as unknown as Json)['store']).toBe(false);
    expect(await thrown(client.responses.retrieve(streamed.id))).toBeInstanceOf(NotFoundError);
  });

  it('stores nothing for anonymous callers (no key, no store of their own): store is answered false, continuing is a 400', async () => {
    const { model } = await scenario({ content: 'Anonymous.' });
    const anonymous = { ALLOW_ANONYMOUS: 'true', GATEWAY_API_KEYS: '' }; // anonymous calls exist only where no key is configured
    const response = await call('/v1/responses', { key: null, env: anonymous, json: { model, input: 'hi' } });
    const body = (await response.json()) as Json;
    expect(body['store']).toBe(false);
    const continued = await call('/v1/responses', {
      key: null,
      env: anonymous,
      json: { model, input: 'more', previous_response_id: body['id'] },
    });
    expect(continued.status).toBe(400);
    expect(((await continued.json()) as { error: Json }).error).toMatchObject({ param: 'previous_response_id' });
    expect((await call(`/v1/responses/${String(body['id'])}`, { key: null, env: anonymous })).status).toBe(404);
  });

  it('rejects a RESPONSES_MAX_BYTES above what a Durable Object row holds with a config_error naming it', async () => {
    const response = await call('/v1/responses', { env: { RESPONSES_MAX_BYTES: '5000000' }, json: { model: 'x', input: 'hi' } });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: Json }).error).toMatchObject({ code: 'config_error', param: 'RESPONSES_MAX_BYTES' });
  });
});

describe('stored responses on the wire: input item pages and item ids', () => {
  const items = ['a', 'b', 'c'].map((id) => ({ id, type: 'message' }));
  const page = (query: string) => inputItemsPage(items, new URLSearchParams(query));

  it('pages input items newest first by default, or oldest first, after a given item, up to a limit', () => {
    expect(page('')).toEqual({ object: 'list', data: [items[2], items[1], items[0]], first_id: 'c', last_id: 'a', has_more: false });
    expect(page('order=asc&limit=2')).toMatchObject({ data: [items[0], items[1]], has_more: true });
    expect(page('order=asc&after=b')).toMatchObject({ data: [items[2]], first_id: 'c', has_more: false });
    expect(page('after=nope')).toMatchObject({ data: [], first_id: null, last_id: null, has_more: false });
  });

  it('refuses an order or a limit OpenAI would refuse, naming the parameter', () => {
    for (const [query, param] of [
      ['order=up', 'order'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=x', 'limit'],
    ] as const) {
      const error = (() => {
        try {
          page(query);
        } catch (e) {
          return e;
        }
      })();
      expect(error, query).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).param).toBe(param);
    }
  });

  it('finds the response and the place an item id of this gateway points at, and nothing for any other id', () => {
    const hex = 'ab'.repeat(24);
    expect(itemPlace(`msg_${hex}_1`)).toEqual({ responseId: `resp_${hex}`, input: false, index: 1 });
    expect(itemPlace(`fco_${hex}_in0`)).toEqual({ responseId: `resp_${hex}`, input: true, index: 0 });
    for (const id of ['msg_1', `msg_${hex}`, `msg_${hex}_x`, `MSG_${hex}_1`, `msg_${hex.toUpperCase()}_1`])
      expect(itemPlace(id), id).toBeNull();
  });
});
