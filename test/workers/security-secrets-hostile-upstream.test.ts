import { describe, expect, it } from 'vitest';
import { call, mockCalls, scenario, sseEvents, UPSTREAM_KEY } from './support/gateway.ts';
import { joinedStreamStrings } from './support/secret-recorder.ts';

// Issue 23, finding 4: a hostile upstream (a custom provider, a compromised endpoint) echoes the provider key
// the gateway authorised with, in every field, header and split point it can. The mock writes the key it
// received wherever a directive says `{{key}}` (`echo_key`, mock/echo-key.ts), so the gateway's request never
// contains the key: what reaches the client is what the gateway let through. Each probe is one way out; none
// may carry the key, whole or split across stream chunks as a client reassembles them. The upstream is the
// mock over real HTTP (its headers and bytes are what a real one would send); the client side is the app's fetch.

const ENV = { MAX_ATTEMPTS: '1' };
const L = UPSTREAM_KEY.length;
const SPLITS = Array.from({ length: L - 1 }, (_, i) => i + 1);

/**
 * Sends `body` to `path` for a scenario model answering with `directive` (the key echoed), and returns all a client
 * gets; with `body` null, a browser EventSource's `GET path?prompt=hi&model=…`.
 */
async function probe(path: string, directive: Record<string, unknown>, body: Record<string, unknown> | null) {
  const { model, id } = await scenario({ echo_key: true, ...directive });
  const response =
    body === null
      ? await call(`${path}?prompt=hi&model=${encodeURIComponent(model)}`, { env: ENV, headers: { accept: 'text/event-stream' } })
      : await call(path, { json: { model, ...body }, env: ENV });
  const text = await response.text();
  expect((await mockCalls(id)).count, 'the upstream was called').toBeGreaterThan(0);
  return { response, text, seen: [[...response.headers].join('\n'), text, joinedStreamStrings(text)].join('\n') };
}

const expectNoKey = (seen: string) => expect(seen.includes(UPSTREAM_KEY), `the client received the provider key:\n${seen}`).toBe(false);

const CHAT = { messages: [{ role: 'user', content: 'hi' }] };

/** An upstream error answer whose `error` carries `fields`. */
const upstreamError = (status: number, fields: Record<string, unknown>, headers: Record<string, string> = {}) => ({
  status,
  body: { error: { message: 'nope', type: 'invalid_request_error', param: null, code: null, ...fields } },
  headers,
});

/** A whole completion, with `patch` over its top level and `message` over its message. */
const completion = (message: Record<string, unknown> = {}, patch: Record<string, unknown> = {}) => ({
  body: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'fine', refusal: null, ...message }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    ...patch,
  },
});

/** A raw SSE answer: a chunk per delta of choice 0, a finish chunk (unless `finish` is null), then `tail`. */
function sse(
  deltas: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
  tail = 'data: [DONE]\n\n',
  finish: string | null = 'stop',
) {
  const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', ...extra };
  const payloads = [
    ...deltas.map((delta) => ({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] })),
    ...(finish ? [{ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }] }] : []),
  ];
  const body = payloads.map((p) => `data: ${JSON.stringify(p)}\n\n`).join('') + tail;
  return { raw: { headers: { 'content-type': 'text/event-stream' }, body } };
}

/** Deltas that split the key at every point: `{field: "<i>:" + key[0:i]}`, then `{field: key[i:] + "\n"}`, for each i. */
const splitEverywhere = (delta: (text: string) => Record<string, unknown>) =>
  SPLITS.flatMap((i) => [delta(`${i}:{{key:0:${i}}}`), delta(`{{key:${i}:}}\n`)]);

/** The same with the text as a tool call's arguments (the call opened first). */
const toolArgumentsSplit = () => [
  { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] },
  ...splitEverywhere((text) => ({ tool_calls: [{ index: 0, function: { arguments: text } }] })),
];

describe('a hostile upstream that echoes the provider key', () => {
  describe('in an error', () => {
    it.each(['type', 'param', 'code'])('scrubs the key from the error %s', async (field) => {
      const { response, seen } = await probe('/v1/chat/completions', upstreamError(400, { [field]: '{{key}}' }), CHAT);
      expect(response.status).toBe(400);
      expectNoKey(seen);
    });

    it.each(['retry-after', 'retry-after-ms', 'x-should-retry'])('does not pass on a %s header that carries the key', async (name) => {
      const { response, seen } = await probe('/v1/chat/completions', upstreamError(429, {}, { [name]: '{{key}}' }), CHAT);
      expect(response.status).toBe(429);
      expectNoKey(seen);
    });

    it('still passes on a well-formed retry-after', async () => {
      const { response } = await probe(
        '/v1/chat/completions',
        upstreamError(429, {}, { 'retry-after': '7', 'retry-after-ms': '7000' }),
        CHAT,
      );
      expect(response.headers.get('retry-after')).toBe('7');
      expect(response.headers.get('retry-after-ms')).toBe('7000');
    });

    it('scrubs the key from the error event an EventSource gets from /stream, headers included', async () => {
      const directive = upstreamError(429, { type: '{{key}}', code: '{{key}}' }, { 'retry-after': '{{key}}' });
      const { response, seen } = await probe('/stream', directive, null);
      expect(response.headers.get('x-gateway-error-status')).toBe('429');
      expectNoKey(seen);
    });

    it('scrubs the key from an error event in the middle of a stream', async () => {
      const error = `data: ${JSON.stringify({ error: { message: 'm {{key}}', type: '{{key}}', param: '{{key}}', code: '{{key}}' } })}\n\n`;
      const { seen } = await probe('/v1/chat/completions', sse([{ role: 'assistant', content: 'a' }], {}, error), {
        ...CHAT,
        stream: true,
      });
      expectNoKey(seen);
    });
  });

  describe('in a whole answer from /v1/chat/completions', () => {
    const cases: [string, ReturnType<typeof completion>][] = [
      ['id', completion({}, { id: '{{key}}' })],
      ['model', completion({}, { model: '{{key}}' })],
      ['system_fingerprint', completion({}, { system_fingerprint: '{{key}}' })],
      ['reasoning_content', completion({ reasoning_content: 'I was called with {{key}}' })],
      [
        'tool-call id, name and arguments',
        completion({
          content: null,
          tool_calls: [{ id: '{{key}}', type: 'function', function: { name: '{{key}}', arguments: '{"k":"{{key}}"}' } }],
        }),
      ],
      [
        'unknown extra fields, values and names, at any depth',
        completion(
          { extra: { deep: ['{{key}}'] }, '{{key}}': 1 },
          { x_provider: { auth: 'Bearer {{key}}' }, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, note: '{{key}}' } },
        ),
      ],
    ];
    it.each(cases)('scrubs the key from %s', async (_, directive) => {
      const { response, seen } = await probe('/v1/chat/completions', directive, CHAT);
      expect(response.status).toBe(200);
      expectNoKey(seen);
    });
  });

  describe('in a stream from /v1/chat/completions', () => {
    it('scrubs the key from every chunk’s id, model, system_fingerprint and extra fields', async () => {
      const directive = sse(
        [
          { role: 'assistant', content: 'a' },
          { content: 'b', reasoning_content: '{{key}}' },
        ],
        {
          id: '{{key}}',
          model: '{{key}}',
          system_fingerprint: '{{key}}',
          x_extra: { '{{key}}': '{{key}}' },
        },
      );
      const { response, seen } = await probe('/v1/chat/completions', directive, { ...CHAT, stream: true });
      expect(response.status).toBe(200);
      expectNoKey(seen);
    });

    const splits: [string, Record<string, unknown>[]][] = [
      ['content', splitEverywhere((content) => ({ content }))],
      ['reasoning_content', splitEverywhere((reasoning_content) => ({ reasoning_content }))],
      ['refusal', splitEverywhere((refusal) => ({ refusal }))],
      ['tool-call arguments', toolArgumentsSplit()],
    ];
    it.each(splits)('holds back the key split across two chunks of %s, at every split point', async (field, deltas) => {
      const { response, text, seen } = await probe('/v1/chat/completions', sse(deltas), { ...CHAT, stream: true });
      expect(response.status).toBe(200);
      expectNoKey(seen);
      // Nothing else is lost: every split point's label arrives, each followed by the redacted key.
      const joined = joinedStreamStrings(text);
      for (const i of SPLITS) expect(joined, `${field} at split ${i}`).toContain(`${i}:[redacted]\n`);
    });
  });

  describe('in a stream, without losing text that only looked like the key', () => {
    it('holds back the key split across three chunks', async () => {
      const deltas = [{ content: 'a {{key:0:3}}' }, { content: '{{key:3:12}}' }, { content: '{{key:12:}} b' }];
      const { text, seen } = await probe('/v1/chat/completions', sse(deltas), { ...CHAT, stream: true });
      expectNoKey(seen);
      expect(joinedStreamStrings(text)).toContain('a [redacted] b');
    });

    it('holds back the key split across two separate upstream reads', async () => {
      // The mock's own stream writer: one write per frame, paced, so the halves reach the gateway in different reads.
      const directive = { content: 'x {{key}} y', stream: { pieces: 2, chunk_delay_ms: 5 } };
      const { text, seen } = await probe('/stream', directive, { prompt: 'hi' });
      expectNoKey(seen);
      expect(joinedStreamStrings(text)).toContain('x [redacted] y');
    });

    it('keeps the upstream’s chunks as they were cut when a piece only looked like the start of the key', async () => {
      const deltas = [{ content: 'a s' }, { content: 'k' }, { content: ' ok' }];
      const { text } = await probe('/v1/chat/completions', sse(deltas), { ...CHAT, stream: true });
      const pieces = sseEvents(text)
        .filter((e) => e.data.startsWith('{'))
        .map((e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content)
        .filter((c) => c !== undefined);
      expect(pieces).toEqual(['a s', 'k', ' ok']);
    });

    it('carries a reasoning tail that only looked like the key’s start past the content after it, losing nothing', async () => {
      const deltas = [{ reasoning_content: 'think s' }, { content: 'one' }, { content: ' two' }];
      const { text } = await probe('/v1/chat/completions', sse(deltas), { ...CHAT, stream: true });
      const frames = sseEvents(text)
        .filter((e) => e.data.startsWith('{'))
        .map((e) => (JSON.parse(e.data) as { choices: { delta: Record<string, unknown> }[] }).choices[0]?.delta ?? {});
      // The suspect "s" goes to the finish chunk, so "one" and " two" do not wait for reasoning that never continues.
      expect(frames.map((d) => d['content']).filter((c) => c !== undefined)).toEqual(['one', ' two']);
      expect(frames.map((d) => d['reasoning_content'] ?? '').join('')).toBe('think s');
    });

    it('holds back the key split around a chunk of another field', async () => {
      const deltas = [{ content: 'a {{key:0:6}}' }, { reasoning_content: 'hmm' }, { content: '{{key:6:}} b' }];
      const { text, seen } = await probe('/v1/chat/completions', sse(deltas), { ...CHAT, stream: true });
      expectNoKey(seen);
      expect(joinedStreamStrings(text)).toContain('a [redacted] b');
    });

    it('sends the chunks it held back before the error of a stream that fails', async () => {
      const failure = `data: ${JSON.stringify({ error: { message: 'boom', type: 'server_error', param: null, code: null } })}\n\n`;
      const { text } = await probe('/v1/chat/completions', sse([{ content: 'a s' }], {}, failure, null), { ...CHAT, stream: true });
      expect(joinedStreamStrings(text)).toContain('a s');
      expect(text).toContain('"boom');
    });

    it('sends a held tail that never became the key, when the stream ends without a finish chunk', async () => {
      const deltas = [
        { content: 'a' },
        { content: ' {{key:0:5}}' },
        { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{{key:0:4}}' } }] },
      ];
      const { response, text } = await probe('/v1/chat/completions', sse(deltas, {}, 'data: [DONE]\n\n', null), { ...CHAT, stream: true });
      expect(response.status).toBe(200);
      const joined = joinedStreamStrings(text);
      expect(joined).toContain(`a ${UPSTREAM_KEY.slice(0, 5)}`);
      expect(joined).toContain(UPSTREAM_KEY.slice(0, 4));
    });
  });

  describe('in a stream from /stream', () => {
    it.each([
      ['content', splitEverywhere((content) => ({ content }))],
      ['tool-call arguments', toolArgumentsSplit()],
    ])('holds back the key split across two chunks of %s, at every split point', async (field, deltas) => {
      const { response, text, seen } = await probe('/stream', sse(deltas), { prompt: 'hi' });
      expect(response.status).toBe(200);
      expectNoKey(seen);
      const joined = joinedStreamStrings(text);
      for (const i of SPLITS) expect(joined, `${field} at split ${i}`).toContain(`${i}:[redacted]\n`);
    });
  });

  describe('in the answers of /chat and /extract', () => {
    it('scrubs the key from /chat’s content, tool calls and usage', async () => {
      const directive = completion(
        { content: 'key {{key}}', tool_calls: [{ id: 'call_{{key}}', type: 'function', function: { name: 'f', arguments: '{{key}}' } }] },
        { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, '{{key}}': 0 } },
      );
      const { response, seen } = await probe('/chat', directive, { prompt: 'hi' });
      expect(response.status).toBe(200);
      expectNoKey(seen);
    });

    it('scrubs the key from the data /extract validated', async () => {
      const directive = completion({ content: '{"v":"{{key}}"}' });
      const schema = { type: 'object', properties: { v: { type: 'string' } }, required: ['v'] };
      const { response, seen } = await probe('/extract', directive, { text: 'hi', schema });
      expect(response.status).toBe(200);
      expectNoKey(seen);
    });
  });
});
