// The mock's Responses API endpoint (POST …/responses), checked with the official OpenAI SDK as client: the
// answer a directive scripts, as a Response object and as the event stream, and the recordings replayed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallsReport } from '../../mock/calls.ts';
import type { Directive } from '../../mock/types.ts';
import { type MockUpstream, startMockUpstream } from '../../mock/upstream.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixturesDir = join(projectRoot, '..', 'shared', 'openai', 'fixtures');
const providersDir = join(projectRoot, '..', 'shared', 'providers');
const haveProviders = existsSync(join(providersDir, 'openai-responses-stream-text.sse'));

let mock: MockUpstream;
let client: OpenAI;
let providers: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream(existsSync(fixturesDir) ? { fixturesDir } : {});
  client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0, timeout: 5000 });
  providers = new OpenAI({ baseURL: `${mock.url}/providers/v1`, apiKey: 'test', maxRetries: 0, timeout: 5000 });
});
afterAll(() => mock.close());

/** The `mock` directive rides in the body, as on the chat route. */
const withMock = <T extends object>(params: T, directive: Directive): T => ({ ...params, mock: directive });

describe('POST /v1/responses on the mock', () => {
  it("answers a directive's content as a Response object with its usage", async () => {
    const response = await client.responses.create(
      withMock(
        { model: 'mock-model', input: 'Hi', store: false },
        { content: 'Hello there', usage: { prompt_tokens: 7, completion_tokens: 3 } },
      ),
    );
    expect(response.output_text).toBe('Hello there');
    expect(response.status).toBe('completed');
    expect(response.usage).toMatchObject({ input_tokens: 7, output_tokens: 3, total_tokens: 10 });
  });

  it('streams the event sequence the Responses API sends, numbered, ending in response.completed with usage', async () => {
    const stream = client.responses.stream(withMock({ model: 'mock-model', input: 'Hi' }, { content: 'One two three' }));
    const types: string[] = [];
    const numbers: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      numbers.push(event.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(numbers).toEqual(types.map((_, i) => i));
    expect(final.output_text).toBe('One two three');
    expect(final.usage?.output_tokens).toBe(3);
  });

  it('streams tool calls as function_call items with their argument deltas', async () => {
    const stream = client.responses.stream(
      withMock(
        { model: 'mock-model', input: 'Weather?' },
        { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_1' }] },
      ),
    );
    const final = await stream.finalResponse();
    expect(final.output).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'get_weather', call_id: 'call_1', arguments: '{"city":"Paris"}' }),
    ]);
  });

  it("answers a directive's error status in OpenAI's error shape, and records each attempt under its id", async () => {
    const id = crypto.randomUUID();
    const error = await client.responses
      .create(withMock({ model: 'mock-model', input: 'Hi' }, { id, status: 429 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    const calls = (await (await fetch(`${mock.url}/__mock/calls/${id}`)).json()) as CallsReport;
    expect(calls.count).toBe(1);
  });

  it('ends a stream with an `error` event after `event_error_after` events', async () => {
    const response = await fetch(`${mock.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mock-model',
        input: 'Hi',
        stream: true,
        mock: { content: 'a b c', stream: { event_error_after: 3 } },
      }),
    });
    const names = [...(await response.text()).matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'error']);
  });
});

describe.skipIf(!haveProviders)('POST /providers/v1/responses replays the recorded Responses streams', () => {
  it('replays openai-responses-stream-text.sse byte for byte', async () => {
    const name = 'openai-responses-stream-text.sse';
    const response = await fetch(`${mock.url}/providers/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', input: 'Hi', stream: true, mock: { fixture: name } }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toBe(readFileSync(join(providersDir, name), 'utf8'));
  });

  it('gives the SDK the recorded function call', async () => {
    const stream = providers.responses.stream(
      withMock({ model: 'gpt-4o', input: 'Hi' }, { fixture: 'openai-responses-stream-function-call.sse' }),
    );
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({ type: 'function_call', name: 'get_capital' });
  });
});
