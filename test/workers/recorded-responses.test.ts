import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/core/types.ts';
import { accumulate } from '../../src/stream/accumulate.ts';
import { call, mockUrl, sseEvents } from './support/gateway.ts';
import { hasSpec, specErrors } from './support/openapi.ts';

// Real provider recordings from ../shared/openai/fixtures, replayed by the mock upstream, checked two ways:
// what the gateway sends validates against the official OpenAI schemas, and it carries the same content
// as what the official SDK reads from the recording directly.
const STREAMS = [
  'openai-stream-text-include-usage.chunks.jsonl',
  'openai-stream-tool-call-args-split.sse',
  'openai-stream-text-after-tool-result.sse',
  'openai-stream-parallel-tool-calls.sse',
  'openai-stream-refusal.sse',
  'openai-stream-json-schema-strict.sse',
  'openai-stream-finish-length.sse',
  'groq-stream-text-x-groq-usage.chunks.jsonl',
  'ollama-stream-text.sse',
];
const COMPLETIONS = [
  'openai-chat-completion-text.json',
  'openai-chat-completion-json-schema-strict.json',
  'openai-chat-completion-refusal.json',
  'openai-chat-completion-parallel-tool-calls.json',
  'openai-chat-completion-finish-length.json',
];
const ERRORS: [string, number, number][] = [
  // fixture, upstream status, status the client gets
  ['openai-error-400-unsupported-parameter.json', 400, 400],
  ['openai-error-400-unsupported-value.http.json', 400, 400],
  ['openai-error-400-code-null.http.json', 400, 400],
  ['openai-error-404-model-not-found.http.json', 404, 404],
  ['openai-error-401-invalid-api-key.json', 401, 502],
  ['openai-error-429-insufficient-quota.json', 429, 429],
  ['openai-error-429-rate-limit-exceeded.json', 429, 429],
  ['openai-error-500-server-error.json', 500, 500],
  ['azure-error-429-rate-limit.json', 429, 429],
  ['anthropic-compat-error-429-rate-limit.json', 429, 429],
];

const request = (fixture: string, stream: boolean, status?: number) => ({
  model: 'openai/gpt-4o-mini',
  messages: [{ role: 'user', content: 'replay' }],
  ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  mock: { fixture, ...(status ? { status } : {}) },
});

/** What the official SDK reads from the recording when it talks to the mock directly. */
const direct = new OpenAI({ apiKey: 'sk-direct', baseURL: `${mockUrl}/v1`, maxRetries: 0 });

/** Comparable content of a completion: what a client acts on. */
const essence = (c: ChatCompletion) => ({
  choices: c.choices.map((ch) => ({
    index: ch.index,
    finish_reason: ch.finish_reason,
    content: ch.message.content,
    refusal: ch.message.refusal ?? null,
    tool_calls: (ch.message.tool_calls ?? []).map((t) =>
      t.type === 'function' ? { id: t.id, name: t.function.name, arguments: t.function.arguments } : t,
    ),
  })),
  usage: c.usage
    ? { prompt_tokens: c.usage.prompt_tokens, completion_tokens: c.usage.completion_tokens, total_tokens: c.usage.total_tokens }
    : null,
});

describe.skipIf(!hasSpec)('recorded provider streams relayed by the gateway', () => {
  for (const fixture of STREAMS) {
    it(`relays ${fixture} as spec-valid chunks carrying everything the SDK reads directly`, async () => {
      const response = await call('/v1/chat/completions', { json: request(fixture, true) });
      expect(response.status).toBe(200);
      const events = sseEvents(await response.text());
      expect(events.at(-1)?.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as ChatCompletionChunk);
      for (const chunk of chunks) expect(await specErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);

      const sdkChunks: ChatCompletionChunk[] = [];
      const stream = await direct.chat.completions.create(request(fixture, true) as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
      for await (const c of stream) sdkChunks.push(structuredClone(c));
      const ours = essence(accumulate(chunks));
      const theirs = essence(accumulate(sdkChunks.map((c) => ({ ...c, choices: c.choices ?? [] }))));
      // Groq sends usage only inside x_groq; the gateway lifts it to the standard field, so it may know more than the raw read.
      if (theirs.usage === null && ours.usage !== null) theirs.usage = ours.usage;
      expect(ours).toEqual(theirs);
    });
  }
});

describe.skipIf(!hasSpec)('recorded non-stream answers relayed by the gateway', () => {
  for (const fixture of COMPLETIONS) {
    it(`returns ${fixture} as a spec-valid completion equal to what the SDK reads directly`, async () => {
      const response = await call('/v1/chat/completions', { json: request(fixture, false) });
      expect(response.status).toBe(200);
      const ours = await response.json<ChatCompletion>();
      expect(await specErrors('CreateChatCompletionResponse', ours)).toEqual([]);
      const theirs = await direct.chat.completions.create(
        request(fixture, false) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
      );
      expect(essence(ours)).toEqual(essence(theirs));
    });

    it(`serves ${fixture} to a stream request as spec-valid chunks`, async () => {
      // A provider that answers JSON to a stream request is replayed as a stream.
      const chunks = sseEvents(await (await call('/v1/chat/completions', { json: { ...request(fixture, true) } })).text())
        .filter((e) => e.data !== '[DONE]')
        .map((e) => JSON.parse(e.data) as ChatCompletionChunk);
      for (const chunk of chunks) expect(await specErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
    });
  }
});

describe.skipIf(!hasSpec)('recorded provider errors', () => {
  for (const [fixture, upstream, expected] of ERRORS) {
    it(`turns ${fixture} (HTTP ${upstream}) into a spec-valid ${expected} error`, async () => {
      const response = await call('/v1/chat/completions', {
        json: request(fixture, false, upstream),
        headers: { 'x-gateway-max-attempts': '1' },
      });
      expect(response.status).toBe(expected);
      const body = await response.json<{ error: { message: string } }>();
      expect(await specErrors('ErrorResponse', body)).toEqual([]);
      expect(JSON.stringify(body)).not.toMatch(/sk-[A-Za-z0-9]{6,}/);
      if (expected === upstream) {
        const theirs = await direct.chat.completions
          .create(request(fixture, false, upstream) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
          .catch((e: unknown) => e);
        expect(theirs).toBeInstanceOf(OpenAI.APIError);
        const sdkMessage = (theirs as InstanceType<typeof OpenAI.APIError>).error as { message?: string } | undefined;
        if (sdkMessage?.message && !/sk-/.test(sdkMessage.message)) expect(body.error.message).toBe(sdkMessage.message);
      }
    });
  }
});

describe.skipIf(!hasSpec)('the schema check itself', () => {
  it('rejects chunks, completions and errors that break the official schemas', async () => {
    expect(
      await specErrors('CreateChatCompletionStreamResponse', {
        id: 1,
        choices: [{ delta: {}, index: 0, finish_reason: 'eos' }],
        created: 1,
        model: 'm',
        object: 'chat.completion.chunk',
      }),
    ).not.toEqual([]);
    expect(
      await specErrors('CreateChatCompletionResponse', {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant' } }],
      }),
    ).not.toEqual([]);
    expect(await specErrors('ErrorResponse', { error: { message: 'm', type: 't' } })).not.toEqual([]);
  });
});
