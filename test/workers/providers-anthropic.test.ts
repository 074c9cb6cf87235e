import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import { isRetryable } from '../../src/gateway/retry-policy.ts';
import { hasSpec, specErrors } from './support/openapi.ts';
import { attempt, failure, hasProviders, meta, payloads, recording, scenario, sentBodies, target } from './support/providers.ts';

// Anthropic's native Messages API: real recordings (../shared/providers/anthropic-*) replayed by the mock's
// Messages endpoint. Each chat body must turn into the request the recording was made with, and each answer
// must come back as spec-valid chunks or completions carrying its text, thinking, tool calls, stop reason
// and usage (cache reads and writes included).
type Json = Record<string, unknown>;

const NON_STREAM = [
  'text',
  'tool-use',
  'tool-use-cache-creation',
  'parallel-tool-use',
  'thinking',
  'redacted-thinking',
  'cache-creation',
  'cache-read',
  'cache-read-and-creation',
  'stop-max-tokens',
].map((n) => `anthropic-messages-${n}.json`);
const STREAM = [
  'text',
  'tool-use',
  'tool-use-empty-input',
  'thinking',
  'thinking-tool-use',
  'adaptive-thinking',
  'redacted-thinking',
  'stop-max-tokens',
  'stop-sequence',
  'web-search',
].map((n) => `anthropic-messages-stream-${n}.sse`);
const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

interface Essence {
  content: string | null;
  reasoning: string | null;
  signatures: string[];
  toolCalls: { id: string; name: string; input: unknown }[];
  finish: string;
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number; cache_creation_input_tokens: number };
}

const anthropicUsage = (u: Json) => {
  const n = (k: string) => (typeof u[k] === 'number' ? (u[k] as number) : 0);
  return {
    prompt_tokens: n('input_tokens') + n('cache_read_input_tokens') + n('cache_creation_input_tokens'),
    completion_tokens: n('output_tokens'),
    cached_tokens: n('cache_read_input_tokens'),
    cache_creation_input_tokens: n('cache_creation_input_tokens'),
  };
};

/** What a recorded Messages answer says, read from its own blocks (the test's reading, not the adapter's). */
function recordedMessage(message: Json): Essence {
  const blocks = message['content'] as Json[];
  const texts = blocks.filter((b) => b['type'] === 'text').map((b) => String(b['text']));
  const thinking = blocks.filter((b) => b['type'] === 'thinking');
  return {
    content: texts.length > 0 ? texts.join('') : null,
    reasoning: thinking.length > 0 ? thinking.map((b) => String(b['thinking'])).join('') : null,
    signatures: thinking.map((b) => String(b['signature'])),
    toolCalls: blocks
      .filter((b) => b['type'] === 'tool_use')
      .map((b) => ({ id: String(b['id']), name: String(b['name']), input: b['input'] })),
    finish: FINISH[String(message['stop_reason'])] ?? 'stop',
    usage: anthropicUsage(message['usage'] as Json),
  };
}

/** A recorded event stream folded into the message it adds up to. */
function recordedStream(file: string, text: string): Essence {
  const content: Json[] = [];
  let message: Json = {};
  for (const { data } of payloads(file, text)) {
    const e = data as Json;
    const index = Number(e['index']);
    if (e['type'] === 'message_start') message = { ...(e['message'] as Json) };
    if (e['type'] === 'content_block_start') content[index] = { ...(e['content_block'] as Json), json: '' };
    if (e['type'] === 'content_block_delta') {
      const block = content[index] as Json;
      const d = e['delta'] as Json;
      if (d['type'] === 'text_delta') block['text'] = String(block['text'] ?? '') + String(d['text']);
      if (d['type'] === 'thinking_delta') block['thinking'] = String(block['thinking']) + String(d['thinking']);
      if (d['type'] === 'signature_delta') block['signature'] = String(block['signature']) + String(d['signature']);
      if (d['type'] === 'input_json_delta') block['json'] = String(block['json']) + String(d['partial_json']);
    }
    if (e['type'] === 'message_delta') {
      message['stop_reason'] = (e['delta'] as Json)['stop_reason'];
      message['usage'] = {
        ...(message['usage'] as Json),
        ...Object.fromEntries(Object.entries(e['usage'] as Json).filter(([, v]) => v !== null)),
      };
    }
  }
  message['content'] = content
    .filter(Boolean)
    .map((b) => (b['type'] === 'tool_use' ? { ...b, input: b['json'] === '' ? {} : JSON.parse(String(b['json'])) } : b));
  return recordedMessage(message);
}

function ours(completion: ChatCompletion): Essence {
  const m = completion.choices[0]?.message as unknown as Json;
  const details = (completion.usage?.prompt_tokens_details ?? {}) as Json;
  return {
    content: (m['content'] as string | null) ?? null,
    reasoning: (m['reasoning_content'] as string | undefined) ?? null,
    signatures: ((m['thinking_blocks'] as Json[] | undefined) ?? [])
      .filter((b) => b['type'] === 'thinking')
      .map((b) => String(b['signature'])),
    toolCalls: ((m['tool_calls'] as Json[] | undefined) ?? []).map((t) => ({
      id: String(t['id']),
      name: String((t['function'] as Json)['name']),
      input: JSON.parse(String((t['function'] as Json)['arguments'])),
    })),
    finish: String(completion.choices[0]?.finish_reason),
    usage: {
      prompt_tokens: completion.usage?.prompt_tokens ?? -1,
      completion_tokens: completion.usage?.completion_tokens ?? -1,
      cached_tokens: Number(details['cached_tokens']),
      cache_creation_input_tokens: Number(details['cache_creation_input_tokens']),
    },
  };
}

/** The client's view of a stream: deltas folded (reasoning and thinking blocks included), as a completion. */
function fold(chunks: ChatCompletionChunk[]): ChatCompletion {
  let content: string | null = null;
  let reasoning: string | null = null;
  const thinkingBlocks: Json[] = [];
  const calls: Json[] = [];
  let finish = 'stop';
  let usage: unknown;
  for (const c of chunks) {
    if (c.usage) usage = c.usage;
    for (const choice of c.choices) {
      const d = choice.delta as unknown as Json;
      if (typeof d['content'] === 'string') content = (content ?? '') + d['content'];
      if (typeof d['reasoning_content'] === 'string') reasoning = (reasoning ?? '') + d['reasoning_content'];
      thinkingBlocks.push(...((d['thinking_blocks'] as Json[] | undefined) ?? []));
      for (const t of (d['tool_calls'] as Json[] | undefined) ?? []) {
        const at = Number(t['index']);
        calls[at] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
        const call = calls[at] as { id: string; function: { name: string; arguments: string } };
        if (t['id']) call.id = String(t['id']);
        const fn = (t['function'] ?? {}) as Json;
        if (fn['name']) call.function.name += String(fn['name']);
        if (fn['arguments']) call.function.arguments += String(fn['arguments']);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  const message: Json = {
    role: 'assistant',
    content,
    refusal: null,
    ...(calls.length ? { tool_calls: calls } : {}),
    ...(reasoning !== null ? { reasoning_content: reasoning } : {}),
    ...(thinkingBlocks.length ? { thinking_blocks: thinkingBlocks } : {}),
  };
  return {
    id: 'x',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage,
  } as unknown as ChatCompletion;
}

/** The chat body a client sends for a recorded Messages request: the inverse mapping, written out plainly. */
function chatBodyFor(request: Json): Json {
  const messages: Json[] = [];
  if (request['system'] !== undefined) messages.push({ role: 'system', content: request['system'] });
  for (const m of request['messages'] as Json[]) messages.push({ role: m['role'], content: m['content'] });
  const body: Json = { messages, max_tokens: request['max_tokens'] };
  for (const key of ['temperature', 'top_p', 'thinking'] as const) if (request[key] !== undefined) body[key] = request[key];
  if (request['stop_sequences']) body['stop'] = request['stop_sequences'];
  if (request['tools']) {
    body['tools'] = (request['tools'] as Json[]).map((t) =>
      t['input_schema'] === undefined
        ? t
        : {
            type: 'function',
            function: {
              name: t['name'],
              ...(t['description'] !== undefined ? { description: t['description'] } : {}),
              parameters: t['input_schema'],
            },
            ...(t['cache_control'] ? { cache_control: t['cache_control'] } : {}),
          },
    );
  }
  const choice = request['tool_choice'] as Json | undefined;
  if (choice)
    body['tool_choice'] =
      choice['type'] === 'auto' ? 'auto' : choice['type'] === 'any' ? 'required' : { type: 'function', function: { name: choice['name'] } };
  return body;
}

beforeAll(async () => {
  if (hasSpec) await Promise.all([specErrors('CreateChatCompletionStreamResponse', {}), specErrors('CreateChatCompletionResponse', {})]);
}, 120_000);

describe.skipIf(!hasProviders)('chat bodies translated to the Messages requests they were recorded with', () => {
  for (const file of [...NON_STREAM, ...STREAM]) {
    it(`sends the request recorded for ${file}`, async () => {
      const recorded = (await meta(file)).request?.body as Json;
      const { name, id } = await scenario({ fixture: file });
      await attempt(target(`anthropic/${name}`), chatBodyFor(recorded), file.endsWith('.sse'));
      const expected: Json = { ...recorded, model: name };
      if (expected['stream'] === false) delete expected['stream'];
      expect((await sentBodies(id))[0]).toEqual(expected);
    });
  }
});

describe.skipIf(!hasProviders || !hasSpec)('recorded Messages answers translated back', () => {
  for (const file of NON_STREAM) {
    it(`returns ${file} as a spec-valid completion with its text, thinking, tool calls, finish and cache usage`, async () => {
      const { name } = await scenario({ fixture: file });
      const { completion } = await attempt(target(`anthropic/${name}`), {}, false);
      if (!completion) throw new Error('expected a completion');
      expect(await specErrors('CreateChatCompletionResponse', completion)).toEqual([]);
      expect(ours(completion)).toEqual(recordedMessage(JSON.parse(await recording(file)) as Json));
    });
  }
  for (const file of STREAM) {
    it(`relays ${file} as spec-valid chunks with its text, thinking, tool calls, finish and usage`, async () => {
      const { name } = await scenario({ fixture: file });
      const { chunks } = await attempt(target(`anthropic/${name}`), {}, true);
      for (const chunk of chunks) expect(await specErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      expect(ours(fold(chunks))).toEqual(recordedStream(file, await recording(file)));
    });
  }
});

describe.skipIf(!hasProviders)('recorded Messages errors', () => {
  const cases: [file: string, stream: boolean, status: number, code: string | null][] = [
    ['anthropic-error-401-authentication.json', false, 502, 'upstream_auth_error'],
    ['anthropic-error-404-model-not-found.json', false, 404, 'model_not_found'],
    ['anthropic-error-404-on-stream-request.json', true, 404, 'model_not_found'],
    ['anthropic-error-400-invalid-request.json', false, 400, null],
  ];
  for (const [file, stream, status, code] of cases) {
    it(`turns ${file} into a ${status} GatewayError${stream ? ' (a JSON error to a stream request)' : ''}`, async () => {
      const { name } = await scenario({ fixture: file });
      const error = (await failure(target(`anthropic/${name}`), {}, stream)) as GatewayError;
      expect(error).toBeInstanceOf(GatewayError);
      expect([error.status, error.code]).toEqual([status, code]);
      expect(isRetryable(error)).toBe(false);
    });
  }
});

describe('Anthropic failures the gateway retries', () => {
  it('turns overloaded_error (HTTP 529) into a retryable 503 keeping retry-after', async () => {
    const { name } = await scenario({ status: 529, headers: { 'retry-after': '7', 'x-should-retry': 'true' } });
    const error = (await failure(target(`anthropic/${name}`), {}, false)) as GatewayError;
    expect([error.status, error.code, error.headers['retry-after']]).toEqual([503, 'upstream_overloaded', '7']);
    expect(isRetryable(error)).toBe(true);
  });

  it('turns rate_limit_error into a retryable 429 rate_limit_exceeded keeping retry-after', async () => {
    const { name } = await scenario({ status: 429, headers: { 'retry-after': '3' } });
    const error = (await failure(target(`anthropic/${name}`), {}, true)) as GatewayError;
    expect([error.status, error.code, error.headers['retry-after']]).toEqual([429, 'rate_limit_exceeded', '3']);
    expect(isRetryable(error)).toBe(true);
  });

  it('ends a stream with the error of a mid-stream `event: error`, after the chunks before it', async () => {
    const { name } = await scenario({ content: 'one two three four', stream: { event_error_after: 4 } });
    const t = target(`anthropic/${name}`);
    const { callUpstream } = await import('../../src/providers/upstream.ts');
    const answer = await callUpstream({
      target: t,
      body: { messages: [{ role: 'user', content: 'hi' }] },
      stream: true,
      signal: new AbortController().signal,
      timeoutMs: 10_000,
      fetch: (i, init) => fetch(i, init),
    });
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const seen: string[] = [];
    const error = await (async () => {
      for await (const batch of answer.chunks) for (const c of batch) seen.push(c.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    const text = seen.join('');
    expect(text.length).toBeGreaterThan(0);
    expect('one two three four'.startsWith(text) && text !== 'one two three four').toBe(true);
    expect((error as GatewayError).code).toBe('upstream_overloaded');
  });
});

describe.skipIf(!hasProviders)('multi-turn conversations', () => {
  it('pairs tool_use ids with tool results in the next turn (parallel calls in one user turn)', async () => {
    const first = await scenario({ fixture: 'anthropic-messages-tool-use.json' });
    const { completion } = await attempt(
      target(`anthropic/${first.name}`),
      { messages: [{ role: 'user', content: 'Please retrieve the secrets' }] },
      false,
    );
    const message = completion?.choices[0]?.message;
    const calls = message?.tool_calls ?? [];
    expect(calls.length).toBe(2);
    const next = await scenario({});
    const messages = [
      { role: 'user', content: 'Please retrieve the secrets' },
      message,
      ...calls.map((c, i) => ({ role: 'tool', tool_call_id: c.id, content: `secret ${i}` })),
    ];
    await attempt(target(`anthropic/${next.name}`), { messages }, false);
    const sent = (await sentBodies(next.id))[0]?.['messages'] as Json[];
    const recorded = (JSON.parse(await recording('anthropic-messages-tool-use.json')) as Json)['content'] as Json[];
    expect(sent[1]).toEqual({
      role: 'assistant',
      content: recorded.map((b) =>
        b['type'] === 'text' ? { type: 'text', text: b['text'] } : { type: 'tool_use', id: b['id'], name: b['name'], input: b['input'] },
      ),
    });
    expect(sent[2]).toEqual({
      role: 'user',
      content: calls.map((c, i) => ({ type: 'tool_result', tool_use_id: c.id, content: `secret ${i}` })),
    });
  });

  it('sends thinking blocks back unchanged, signature included, before the tool calls they led to', async () => {
    const first = await scenario({ fixture: 'anthropic-messages-stream-thinking-tool-use.sse' });
    const { chunks } = await attempt(target(`anthropic/${first.name}`), { messages: [{ role: 'user', content: 'Use the tool' }] }, true);
    const message = fold(chunks).choices[0]?.message as unknown as Json;
    const next = await scenario({});
    const calls = message['tool_calls'] as Json[];
    await attempt(
      target(`anthropic/${next.name}`),
      { messages: [{ role: 'user', content: 'Use the tool' }, message, { role: 'tool', tool_call_id: calls[0]?.['id'], content: '1.0' }] },
      false,
    );
    const sent = (await sentBodies(next.id))[0]?.['messages'] as Json[];
    const assistant = (sent[1] as Json)['content'] as Json[];
    expect(assistant[0]).toEqual((message['thinking_blocks'] as Json[])[0]);
    expect(assistant[0]?.['signature']).toMatch(/.{20,}/);
    expect(assistant.at(-1)).toMatchObject({ type: 'tool_use', id: calls[0]?.['id'], input: {} });
  });
});

describe('requests translated to Messages', () => {
  it('asks max_tokens from the model table, or 4096 for an unknown model', async () => {
    const known = await scenario({});
    await attempt(target('anthropic/claude-sonnet-4-5'.replace('claude-sonnet-4-5', known.name)), {}, false);
    expect((await sentBodies(known.id))[0]?.['max_tokens']).toBe(4096);
    const { toMessagesRequest } = await import('../../src/providers/anthropic/to-messages.ts');
    expect(toMessagesRequest({ messages: [{ role: 'user', content: 'hi' }] }, 'claude-sonnet-4-5-20250929', false).max_tokens).toBe(64_000);
  });

  it('turns images, developer messages, stop, tool_choice, parallel_tool_calls and json_schema into Messages fields', async () => {
    const { name, id } = await scenario({});
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const { completion } = await attempt(
      target(`anthropic/${name}`),
      {
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Where is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            ],
          },
        ],
        stop: 'END',
        temperature: 1.5,
        top_p: 0.9,
        user: 'u-1',
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} }, strict: true } }],
        tool_choice: 'none',
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } },
      },
      false,
    );
    const sent = (await sentBodies(id))[0] as Json;
    expect(sent).toMatchObject({
      system: 'Be brief.',
      stop_sequences: ['END'],
      temperature: 1,
      top_p: 0.9,
      metadata: { user_id: 'u-1' },
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} }, strict: true }],
      tool_choice: { type: 'none', disable_parallel_tool_use: true },
      output_config: { format: { type: 'json_schema', schema } },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Where is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
      ],
    });
    // The mock answers structured output with JSON matching the schema: it comes back as the content.
    expect(JSON.parse(completion?.choices[0]?.message.content ?? '')).toHaveProperty('city');
  });

  it('maps stop_reason refusal to content_filter, streamed or not', async () => {
    const { name } = await scenario({ content: 'I cannot help with that.', finish_reason: 'refusal' });
    expect((await attempt(target(`anthropic/${name}`), {}, false)).completion?.choices[0]?.finish_reason).toBe('content_filter');
    expect(fold((await attempt(target(`anthropic/${name}`), {}, true)).chunks).choices[0]?.finish_reason).toBe('content_filter');
  });

  it('refuses n > 1, which Messages cannot answer, naming the field', async () => {
    const error = (await failure(target('anthropic/claude-sonnet-4-5'), { n: 2 }, false)) as GatewayError;
    expect([error.status, error.param]).toEqual([400, 'n']);
  });

  it('keeps the compatibility layer as anthropic-compat/…, asked for structured output with a forced tool', async () => {
    const { name, id } = await scenario({});
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const { completion } = await attempt(
      target(`anthropic-compat/${name}`),
      { response_format: { type: 'json_schema', json_schema: { name: 'count', schema } } },
      false,
    );
    const sent = (await sentBodies(id))[0] as Json;
    expect(sent['tool_choice']).toEqual({ type: 'function', function: { name: 'count' } });
    expect(sent['response_format']).toBeUndefined();
    // The forced tool's arguments come back as the content, as if json_schema had been honoured.
    expect(completion?.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion?.choices[0]?.finish_reason).toBe('stop');
    expect(JSON.parse(completion?.choices[0]?.message.content ?? '')).toHaveProperty('n');
  });
});
