import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import { call, heldFetch, mockCalls, mockUrl, scenario as mainScenario, scriptedApp, settled, sseEvents } from './support/gateway.ts';
import { openaiClient } from './support/openai-client.ts';
import { hasProviders, PROVIDER_ENV, PROVIDERS_URL, recording, scenario } from './support/providers.ts';
import { watchLogLines } from './support/log-lines.ts';
import { TRANSLATED_ENV, translatedScenario } from './support/translated.ts';

// `/v1/responses` with `store: false` to an openai/* model passes through to OpenAI's Responses API: the client's body
// goes as it came (model replaced), every stream event comes back in order with its data byte for byte, the Response
// object as OpenAI sent it; usage, cost, the log line, secret scrubbing and the error shapes are the translated path's.
// Stored responses (`store` true) pass through alike and are kept by the gateway (surface-responses-stored-native.test.ts);
// every other provider keeps the translation.

type Json = Record<string, unknown>;

const TEXT = 'openai-responses-stream-text.sse';
const FUNCTION_CALL = 'openai-responses-stream-function-call.sse';

/** OpenAI pointed at the mock's recordings. */
const RECORDED = { ...PROVIDER_ENV, OPENAI_BASE_URL: `${PROVIDERS_URL}/v1` };

const { logLineOf } = watchLogLines();

/** What the log line says of an answer's accounting. */
const facts = (line: Json) => ({
  status: line['status'],
  model: line['model'],
  prompt_tokens: line['prompt_tokens'],
  completion_tokens: line['completion_tokens'],
  cached_tokens: line['cached_tokens'],
  cost_usd: line['cost_usd'],
});

const USAGE_HEADERS = ['x-gateway-model', 'x-gateway-prompt-tokens', 'x-gateway-completion-tokens', 'x-gateway-cost-usd'];

/** The Response a recorded stream ends with (its `response.completed` event). */
async function finalResponse(file: string): Promise<Json> {
  const completed = sseEvents(await recording(file)).find((e) => e.event === 'response.completed');
  return (JSON.parse(completed?.data ?? '{}') as Json)['response'] as Json;
}

/** The URLs the providers' mock was called at for a scenario id. */
async function calledUrls(id: string): Promise<string[]> {
  const report = await (await fetch(`${PROVIDERS_URL}/__mock/calls/${id}`)).json<{ requests: { url: string }[] }>();
  return report.requests.map((r) => r.url);
}

describe.skipIf(!hasProviders)('/v1/responses with store:false to openai/* passes the recorded Responses stream through', () => {
  for (const file of [TEXT, FUNCTION_CALL]) {
    it(`streams ${file} event for event, every data field byte-equal`, async () => {
      const { name, id } = await scenario({ fixture: file });
      const response = await call('/v1/responses', {
        json: { model: `openai/${name}`, input: 'What is the capital of France?', stream: true, store: false },
        env: RECORDED,
      });
      expect(response.status).toBe(200);
      const sent = sseEvents(await response.text());
      await settled(response);
      expect(sent).toEqual(sseEvents(await recording(file)));
      expect(await calledUrls(id)).toEqual(['/v1/responses']);
    });
  }

  it("sends the client's body as it came, the model replaced by the provider's name", async () => {
    const { name, id } = await scenario({ fixture: TEXT });
    const body = {
      model: `openai/${name}`,
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      instructions: 'Be brief.',
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'abc',
      stream: true,
      store: false,
    };
    const response = await call('/v1/responses', { json: body, env: RECORDED });
    await response.text();
    await settled(response);
    const report = await (await fetch(`${PROVIDERS_URL}/__mock/calls/${id}`)).json<{ requests: { body: Json }[] }>();
    expect(report.requests[0]?.body).toEqual({ ...body, model: name });
  });

  it("gives the openai SDK's responses.stream() the recorded function call and text", async () => {
    for (const file of [TEXT, FUNCTION_CALL]) {
      const { name } = await scenario({ fixture: file });
      const stream = openaiClient({ env: RECORDED }).responses.stream({ model: `openai/${name}`, input: 'Hi', store: false });
      const final = (await stream.finalResponse()) as unknown as Json;
      // The SDK adds `parsed: null` / `parsed_arguments: null` to the parts and calls it reads from a stream (no schema).
      const unparsed = JSON.parse(
        JSON.stringify(final['output'], (key, value) => (key === 'parsed' || key === 'parsed_arguments' ? undefined : value)),
      );
      expect(unparsed).toEqual((await finalResponse(file))['output']);
      expect(final['id']).toEqual((await finalResponse(file))['id']);
    }
  });

  it('answers a non-stream request with the Response object OpenAI sent, and the SDK reads it', async () => {
    const recorded = await finalResponse(TEXT);
    const { name } = await scenario({ body: recorded });
    const response = await call('/v1/responses', { json: { model: `openai/${name}`, input: 'Hi', store: false }, env: RECORDED });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(JSON.stringify(recorded));
    expect(response.headers.get('x-gateway-prompt-tokens')).toBe(String((recorded['usage'] as Json)['input_tokens']));
    const { name: again } = await scenario({ body: recorded });
    const created = await openaiClient({ env: RECORDED }).responses.create({ model: `openai/${again}`, input: 'Hi', store: false });
    expect(created.output_text).toBe('The capital of France is Paris.');
    expect(created.id).toBe(recorded['id']);
  });
});

describe('/v1/responses to openai/*: what stays as on the translated path', () => {
  const priced = (model: string) => ({ MODEL_PRICES: JSON.stringify({ [model]: { input: 3, output: 15 } }) });

  for (const stream of [false, true]) {
    it(`accounts a native ${stream ? 'stream' : 'answer'} as the translated one: usage headers, cost and the log line`, async () => {
      const directive = { content: 'Hello there, friend', usage: { prompt_tokens: 17, completion_tokens: 4 } };
      const native = await mainScenario(directive);
      const translated = await translatedScenario(directive);
      const ask = async (model: string, store: boolean) => {
        const response = await call('/v1/responses', {
          json: { model, input: 'Hi', stream, store },
          env: { ...TRANSLATED_ENV, ...priced(model) },
        });
        await response.text();
        await settled(response);
        return response;
      };
      // The same upstream answer, once through OpenAI's Responses API, once translated (as xAI).
      const a = await ask(native.model, false);
      const b = await ask(translated.model, true);
      expect((await mockCalls(native.id)).requests.map((r) => r.url)).toEqual(['/v1/responses']);
      expect((await mockCalls(translated.id)).requests.map((r) => r.url)).toEqual(['/v1/chat/completions']);
      for (const header of USAGE_HEADERS.slice(1)) expect([header, a.headers.get(header)]).toEqual([header, b.headers.get(header)]);
      // A stream's headers go before its usage is known: only a whole answer carries the usage headers.
      if (!stream) expect(a.headers.get('x-gateway-prompt-tokens')).toBe('17');
      if (!stream) expect(a.headers.get('x-gateway-cost-usd')).not.toBeNull();
      const la = facts(logLineOf(a));
      const lb = facts(logLineOf(b));
      expect({ ...la, model: null }).toEqual({ ...lb, model: null });
      expect(la).toMatchObject({ status: 200, prompt_tokens: 17, completion_tokens: 4, cost_usd: expect.any(Number) });
    });
  }

  it('sends max_output_tokens clamped to MAX_TOKENS_CEILING, as the translated path does, and says so', async () => {
    const { model, id } = await mainScenario({ content: 'Short.' });
    const response = await call('/v1/responses', {
      json: { model, input: 'Hi', store: false, max_output_tokens: 50000 },
      env: { MAX_TOKENS_CEILING: '1000' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-max-tokens-clamped')).toBe('50000; to=1000; reason=ceiling');
    expect((await mockCalls(id)).requests[0]).toMatchObject({ url: '/v1/responses', body: { max_output_tokens: 1000 } });
  });

  it("sends only SSE comments while OpenAI's answer is slow, so its own response.created is the first event and the only one", async () => {
    const clock = new FakeClock();
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { model } = await mainScenario({ content: 'Late but whole.' });
    const pending = call('/v1/responses', {
      app,
      env: { KEEPALIVE_INTERVAL_MS: '100' },
      json: { model, input: 'Hi', stream: true, store: false },
    });
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const response = await pending;
    expect(response.status).toBe(200);
    const read = response.text();
    await clock.advanceWhenScheduled(100);
    upstream.release();
    const text = await read;
    await settled(response);
    expect(text.startsWith(': ping\n\n')).toBe(true);
    const events = sseEvents(text);
    expect(events[0]?.event).toBe('response.created');
    expect(events.filter((e) => e.event === 'response.created')).toHaveLength(1);
    expect(JSON.parse(events[0]?.data ?? '{}')).toMatchObject({ response: { id: expect.stringMatching(/^resp_mock_/) } });
    expect(events.at(-1)?.event).toBe('response.completed');
  });

  it('passes a stored response (store:true) through too, asking OpenAI store:false, and keeps it itself', async () => {
    const { model, id } = await mainScenario({ content: 'Kept for later' });
    const response = await call('/v1/responses', { json: { model, input: 'Hi', store: true } });
    const answered = (await response.json()) as Json;
    const [sent] = (await mockCalls(id)).requests;
    expect(sent?.url).toBe('/v1/responses');
    expect(sent?.body['store']).toBe(false);
    expect(answered['store']).toBe(true);
    const retrieved = await call(`/v1/responses/${String(answered['id'])}`);
    expect(retrieved.status).toBe(200);
    expect(await retrieved.json()).toEqual(answered);
  });

  it('answers an upstream error before the answer in the Responses error shape and status', async () => {
    const { model } = await mainScenario({ status: 429 });
    const response = await call('/v1/responses', {
      json: { model, input: 'Hi', stream: true, store: false },
      headers: { 'x-gateway-max-attempts': '1' },
    });
    expect(response.status).toBe(429);
    expect(((await response.json()) as Json)['error']).toMatchObject({ message: expect.any(String) });
  });

  it('ends a stream OpenAI broke off with an error event and response.failed, after the events relayed before it', async () => {
    const { model } = await mainScenario({ content: 'One two three four', stream: { event_error_after: 5 } });
    const response = await call('/v1/responses', {
      json: { model, input: 'Hi', stream: true, store: false },
      headers: { 'x-gateway-max-attempts': '1' },
    });
    const events = sseEvents(await response.text());
    await settled(response);
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'error',
      'response.failed',
    ]);
    const created = JSON.parse(events[0]?.data ?? '{}') as Json;
    const failed = JSON.parse(events.at(-1)?.data ?? '{}') as Json;
    expect((failed['response'] as Json)['id']).toBe((created['response'] as Json)['id']);
  });
});

describe.skipIf(!hasProviders)('/v1/responses with store:false to another provider', () => {
  it('is translated to its chat completions', async () => {
    const { name, id } = await scenario({ content: 'Translated answer' });
    const response = await call('/v1/responses', { json: { model: `groq/${name}`, input: 'Hi', store: false }, env: PROVIDER_ENV });
    const answered = (await response.json()) as Json;
    expect(await calledUrls(id)).toEqual(['/v1/chat/completions']);
    expect(answered).toMatchObject({ object: 'response', status: 'completed' });
    expect(JSON.stringify(answered['output'])).toContain('Translated answer');
  });
});

describe('/v1/responses with store:false to Azure OpenAI', () => {
  it("passes through to the resource's v1 Responses API with its api-key, the deployment as the model", async () => {
    const env = { AZURE_OPENAI_API_KEY: 'azure-secret-123456', AZURE_OPENAI_ENDPOINT: mockUrl, AZURE_OPENAI_API_VERSION: '2024-10-21' };
    const { model, id } = await mainScenario({ content: 'From the deployment.' }, 'azure');
    const response = await call('/v1/responses', { json: { model, input: 'Hi', store: false }, env });
    expect(response.status).toBe(200);
    const answered = (await response.json()) as Json;
    const sent = (await mockCalls(id)).requests;
    expect(sent.map((r) => r.url)).toEqual(['/openai/v1/responses']);
    expect(sent[0]?.headers['api-key']).toBe('azure-secret-123456');
    expect(sent[0]?.body).toEqual({ model: model.slice('azure/'.length), input: 'Hi', store: false });
    expect(answered).toMatchObject({ object: 'response', status: 'completed' });
    expect(JSON.stringify(answered['output'])).toContain('From the deployment.');
    expect(response.headers.get('x-gateway-model')).toBe(model);
  });
});

describe('/v1/responses to a hostile OpenAI upstream that echoes the provider key', () => {
  const KEY = 'sk-hostile-key-0123456789abcdefghij';
  const env = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://hostile.test/v1' };
  const urls: string[] = [];

  /** An app whose OpenAI upstream writes the bearer key it was sent into two text deltas (cut in two) and the instructions. */
  const hostile = () =>
    scriptedApp({
      fetch: async (input, init) => {
        urls.push(String(input instanceof Request ? input.url : input));
        const key = (new Headers(init?.headers).get('authorization') ?? '').replace(/^Bearer /, '');
        const usage = { input_tokens: 5, output_tokens: 3, total_tokens: 8 };
        const response = (status: string, output: Json[]) => ({
          id: 'resp_h',
          object: 'response',
          status,
          model: 'gpt-h',
          instructions: `leak ${key}`,
          output,
          usage: status === 'completed' ? usage : null,
        });
        const text = `The key is ${key} indeed.`;
        const message = {
          id: 'msg_h',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [] }],
        };
        const where = { item_id: 'msg_h', output_index: 0, content_index: 0 };
        const events: Json[] = [
          { type: 'response.created', response: response('in_progress', []) },
          { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
          { type: 'response.output_text.delta', ...where, delta: `The key is ${key.slice(0, 10)}` },
          { type: 'response.output_text.delta', ...where, delta: `${key.slice(10)} indeed.` },
          { type: 'response.output_text.done', ...where, text },
          { type: 'response.output_item.done', output_index: 0, item: message },
          { type: 'response.completed', response: response('completed', [message]) },
        ];
        const body = JSON.parse(String(init?.body)) as Json;
        if (body['stream'] !== true) return Response.json(response('completed', [message]));
        const frames = events.map((e, i) => `event: ${String(e['type'])}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`);
        return new Response(frames.join(''), { headers: { 'content-type': 'text/event-stream' } });
      },
    }).app;

  it('never streams the key, split across two output_text deltas or whole in another field', async () => {
    const response = await call('/v1/responses', {
      json: { model: 'openai/gpt-h', input: 'Hi', stream: true, store: false },
      env,
      app: hostile(),
    });
    const text = await response.text();
    await settled(response);
    expect(urls.at(-1)).toBe('http://hostile.test/v1/responses');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(10));
    const events = sseEvents(text);
    const deltas = events.filter((e) => e.event === 'response.output_text.delta').map((e) => (JSON.parse(e.data) as Json)['delta']);
    expect(deltas).toEqual(['The key is [redacted] indeed.']);
    expect(events.at(-1)?.event).toBe('response.completed');
    expect((JSON.parse(events[0]?.data ?? '{}') as Json)['response']).toMatchObject({ instructions: 'leak [redacted]' });
  });

  it('never answers the key in a non-stream Response', async () => {
    const response = await call('/v1/responses', { json: { model: 'openai/gpt-h', input: 'Hi', store: false }, env, app: hostile() });
    const answered = (await response.json()) as Json;
    expect(JSON.stringify(answered)).not.toContain(KEY);
    expect(answered).toMatchObject({ id: 'resp_h', instructions: 'leak [redacted]' });
  });
});
