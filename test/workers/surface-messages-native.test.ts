import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicClient } from './support/anthropic-client.ts';
import { FakeClock } from './support/fake-clock.ts';
import { call, heldFetch, scriptedApp, settled, sseEvents } from './support/gateway.ts';
import { hasProviders, meta, PROVIDER_ENV, recording, scenario } from './support/providers.ts';
import { watchLogLines } from './support/log-lines.ts';

// `/v1/messages` to an anthropic/* model answers with Anthropic's own answer, not a translation of it: every stream
// event in order with its data byte for byte (server tool blocks, search results, citations), the Message as Anthropic
// sent it; usage, cost, the log line, secret scrubbing and the error shapes are what the translated path gives.

type Json = Record<string, unknown>;

const WEB_SEARCH = 'anthropic-messages-stream-web-search.sse';

const { logLineOf } = watchLogLines();

/** The providers' env with a price for a scenario model, so that its cost is computed (per million tokens). */
const priced = (model: string) => ({ ...PROVIDER_ENV, MODEL_PRICES: JSON.stringify({ [model]: { input: 3, output: 15 } }) });

/** The request the recording was made with, for a scenario model. */
async function recordedBody(file: string, model: string, stream: boolean): Promise<Json> {
  return { ...((await meta(file)).request?.body ?? {}), model, stream };
}

/** A recorded stream folded into the Message Anthropic would answer without streaming (citations and all). */
function foldMessage(events: { event: string | null; data: string }[]): Json {
  let message: Json = {};
  const content: Json[] = [];
  const partial = new Map<number, string>();
  for (const { data } of events) {
    const e = JSON.parse(data) as Json;
    const index = Number(e['index']);
    if (e['type'] === 'message_start') message = { ...(e['message'] as Json) };
    else if (e['type'] === 'content_block_start') content[index] = structuredClone(e['content_block'] as Json);
    else if (e['type'] === 'content_block_delta') {
      const d = e['delta'] as Json;
      const block = content[index] as Json;
      if (d['type'] === 'text_delta') block['text'] = `${String(block['text'])}${String(d['text'])}`;
      if (d['type'] === 'citations_delta') (block['citations'] as Json[]).push(d['citation'] as Json);
      if (d['type'] === 'input_json_delta') partial.set(index, `${partial.get(index) ?? ''}${String(d['partial_json'])}`);
    } else if (e['type'] === 'content_block_stop' && partial.has(index))
      (content[index] as Json)['input'] = JSON.parse(partial.get(index) || '{}');
    else if (e['type'] === 'message_delta') {
      message = { ...message, ...(e['delta'] as Json), usage: { ...(message['usage'] as Json), ...(e['usage'] as Json) } };
    }
  }
  return { ...message, content };
}

describe.skipIf(!hasProviders)("/v1/messages to an anthropic/* model answers with Anthropic's own events", () => {
  it('streams the web-search recording event for event, every data field byte-equal: server tool, search results, citations', async () => {
    const { name } = await scenario({ fixture: WEB_SEARCH });
    const response = await call('/v1/messages', { json: await recordedBody(WEB_SEARCH, `anthropic/${name}`, true), env: PROVIDER_ENV });
    expect(response.status).toBe(200);
    const sent = sseEvents(await response.text());
    await settled(response);
    expect(sent).toEqual(sseEvents(await recording(WEB_SEARCH)));
    expect(sent.map((e) => e.event)).toContain('message_stop');
    expect(sent.some((e) => e.data.includes('"citations_delta"'))).toBe(true);
  });

  it("gives the Anthropic SDK's messages.stream().finalMessage() the server tool, its results and the citations", async () => {
    const { name } = await scenario({ fixture: WEB_SEARCH });
    const client = anthropicClient({ env: PROVIDER_ENV });
    const stream = client.messages.stream(
      (await recordedBody(WEB_SEARCH, `anthropic/${name}`, true)) as unknown as Anthropic.MessageStreamParams,
    );
    const message = (await stream.finalMessage()) as unknown as Json;
    const expected = foldMessage(sseEvents(await recording(WEB_SEARCH)));
    expect(message['content']).toEqual(expected['content']);
    const types = (message['content'] as Json[]).map((b) => b['type']);
    expect(types.slice(0, 3)).toEqual(['server_tool_use', 'web_search_tool_result', 'text']);
    expect((message['content'] as Json[]).some((b) => Array.isArray(b['citations']) && b['citations'].length > 0)).toBe(true);
    expect(message['usage']).toMatchObject({ input_tokens: 10423, output_tokens: 341, server_tool_use: { web_search_requests: 1 } });
  });

  it('accounts the native stream as the translated one: the same usage and cost in the log line as /v1/chat/completions', async () => {
    const { name } = await scenario({ fixture: WEB_SEARCH });
    const model = `anthropic/${name}`;
    const native = await call('/v1/messages', { json: await recordedBody(WEB_SEARCH, model, true), env: priced(model) });
    await native.text();
    await settled(native);
    const chat = await call('/v1/chat/completions', {
      json: {
        model,
        stream: true,
        max_tokens: 8192,
        messages: [{ role: 'user', content: 'What is the current weather in San Francisco?' }],
      },
      env: priced(model),
    });
    await chat.text();
    await settled(chat);
    const facts = (line: Json) => ({
      status: line['status'],
      model: line['model'],
      prompt_tokens: line['prompt_tokens'],
      completion_tokens: line['completion_tokens'],
      cached_tokens: line['cached_tokens'],
      cost_usd: line['cost_usd'],
    });
    expect(facts(logLineOf(native))).toEqual(facts(logLineOf(chat)));
    expect(logLineOf(native)).toMatchObject({ prompt_tokens: 10423, completion_tokens: 341, cost_usd: expect.any(Number) });
  });

  it('answers a non-stream web search with the Message Anthropic sent: server_tool_use, web_search_tool_result, citations', async () => {
    // No non-stream recording of a web search: the recorded stream folded into its Message stands for one.
    const message = foldMessage(sseEvents(await recording(WEB_SEARCH)));
    const { app } = scriptedApp({ fetch: async () => Response.json(message) });
    const response = await call('/v1/messages', {
      json: await recordedBody(WEB_SEARCH, 'anthropic/claude-opus-4-1-20250805', false),
      env: PROVIDER_ENV,
      app,
    });
    expect(response.status).toBe(200);
    const answered = (await response.json()) as Json;
    expect(answered).toEqual(message);
    expect((answered['content'] as Json[]).map((b) => b['type'])).toContain('web_search_tool_result');
    expect(response.headers.get('x-gateway-prompt-tokens')).toBe('10423');
  });

  it('answers a non-stream request with the Message Anthropic sent, and the same usage headers as the translated path', async () => {
    const file = 'anthropic-messages-cache-read-and-creation.json';
    const { name } = await scenario({ fixture: file });
    const model = `anthropic/${name}`;
    const native = await call('/v1/messages', { json: await recordedBody(file, model, false), env: priced(model) });
    expect(await native.json()).toEqual(JSON.parse(await recording(file)));
    const chat = await call('/v1/chat/completions', {
      json: { model, max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] },
      env: priced(model),
    });
    await chat.json();
    for (const header of ['x-gateway-model', 'x-gateway-prompt-tokens', 'x-gateway-completion-tokens', 'x-gateway-cost-usd'])
      expect([header, native.headers.get(header)]).toEqual([header, chat.headers.get(header)]);
    expect(native.headers.get('x-gateway-cost-usd')).not.toBeNull();
  });

  it("sends only pings while Anthropic's answer is slow, so its own message_start is the first event and the only one", async () => {
    const clock = new FakeClock();
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { name } = await scenario({ content: 'Late but whole.' });
    const pending = call('/v1/messages', {
      app,
      env: { ...PROVIDER_ENV, KEEPALIVE_INTERVAL_MS: '100' },
      json: { model: `anthropic/${name}`, max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const response = await pending;
    expect(response.status).toBe(200);
    const read = response.text();
    await clock.advanceWhenScheduled(100);
    upstream.release();
    const events = sseEvents(await read);
    await settled(response);
    expect(events[0]?.event).toBe('ping');
    const start = events.find((e) => e.event !== 'ping');
    expect(start?.event).toBe('message_start');
    expect(events.filter((e) => e.event === 'message_start')).toHaveLength(1);
    expect(JSON.parse(start?.data ?? '')).toMatchObject({ message: { id: expect.stringMatching(/^msg_mock_/) } });
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('ends a stream that Anthropic broke off with its error as `event: error`, after the events relayed before it', async () => {
    const { name } = await scenario({ content: 'One two three four five six', stream: { event_error_after: 4 } });
    const response = await call('/v1/messages', {
      json: { model: `anthropic/${name}`, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Count' }] },
      env: PROVIDER_ENV,
      headers: { 'x-gateway-max-attempts': '1' },
    });
    const events = sseEvents(await response.text());
    await settled(response);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'error',
    ]);
    expect(JSON.parse(events.at(-1)?.data ?? '')).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(events.filter((e) => e.event === 'error')).toHaveLength(1);
  });
});

describe('/v1/messages to a hostile Anthropic upstream that echoes the provider key', () => {
  const KEY = 'sk-ant-hostile-key-0123456789abcdef';
  const env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'http://hostile.test' };
  const citation = (text: string) => ({ type: 'web_search_result_location', cited_text: text, url: 'https://x.test', title: 'T' });

  /** An app whose Anthropic upstream writes the `x-api-key` it was sent into a text delta (cut in two) and a citation. */
  const hostile = () =>
    scriptedApp({
      fetch: async (_input, init) => {
        const key = new Headers(init?.headers).get('x-api-key') ?? '';
        const body = JSON.parse(String(init?.body)) as Json;
        const usage = { input_tokens: 5, output_tokens: 3 };
        if (body['stream'] !== true)
          return Response.json({
            id: 'msg_h',
            type: 'message',
            role: 'assistant',
            model: 'claude-h',
            content: [{ type: 'text', text: `key ${key}`, citations: [citation(`cited ${key}`)] }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage,
          });
        const events: [string, Json][] = [
          [
            'message_start',
            { type: 'message_start', message: { id: 'msg_h', type: 'message', role: 'assistant', model: 'claude-h', content: [], usage } },
          ],
          ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: [] } }],
          [
            'content_block_delta',
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `The key is ${key.slice(0, 10)}` } },
          ],
          [
            'content_block_delta',
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${key.slice(10)} indeed.` } },
          ],
          [
            'content_block_delta',
            { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: citation(`cited ${key}`) } },
          ],
          ['content_block_stop', { type: 'content_block_stop', index: 0 }],
          ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }],
          ['message_stop', { type: 'message_stop' }],
        ];
        const text = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
        return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
      },
    }).app;

  it('never streams the key, split across text deltas or whole in a citation', async () => {
    const response = await call('/v1/messages', {
      json: { model: 'anthropic/claude-h', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      env,
      app: hostile(),
    });
    const text = await response.text();
    await settled(response);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(10));
    const events = sseEvents(text);
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => (JSON.parse(e.data) as Json)['delta']);
    expect(deltas).toEqual([
      { type: 'text_delta', text: 'The key is [redacted] indeed.' },
      { type: 'citations_delta', citation: citation('cited [redacted]') },
    ]);
    expect(events.map((e) => e.event).at(-1)).toBe('message_stop');
  });

  it('never answers the key in a non-stream Message, in its text or its citation', async () => {
    const response = await call('/v1/messages', {
      json: { model: 'anthropic/claude-h', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] },
      env,
      app: hostile(),
    });
    const message = (await response.json()) as Json;
    expect(JSON.stringify(message)).not.toContain(KEY);
    expect(message['content']).toEqual([{ type: 'text', text: 'key [redacted]', citations: [citation('cited [redacted]')] }]);
  });
});
