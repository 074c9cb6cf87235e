import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import { hasSpec, specErrors } from './support/openapi.ts';
import { attempt, failure, hasProviders, payloads, recording, scenario, sentBodies, target } from './support/providers.ts';

// Real recordings of OpenAI-compatible providers (../shared/providers), replayed by the mock through the
// provider layer exactly as the pipeline calls it: every chunk and completion must validate against OpenAI's
// schema and carry the recording's content, reasoning, tool calls, finish reason and usage.
type Json = Record<string, unknown>;
interface Essence {
  content: string | null;
  reasoning: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

const STREAMS: [file: string, model: string][] = [
  ['deepseek-chat-stream-reasoning.sse', 'deepseek/deepseek-reasoner'],
  ['deepseek-chat-stream-tool-call-reasoning.chunks.jsonl', 'deepseek/deepseek-reasoner'],
  ['mistral-chat-stream-thinking.sse', 'mistral/magistral-medium-latest'],
  ['mistral-chat-stream-tool-call.chunks.jsonl', 'mistral/mistral-large-latest'],
  ['xai-chat-stream-text.chunks.jsonl', 'xai/grok-3-mini'],
  ['xai-chat-stream-tool-call.chunks.jsonl', 'xai/grok-3-mini'],
];
const COMPLETIONS: [file: string, model: string][] = [
  ['deepseek-chat-reasoning.json', 'deepseek/deepseek-reasoner'],
  ['deepseek-chat-tool-call-reasoning.json', 'deepseek/deepseek-v4-flash'],
  ['mistral-chat-thinking.json', 'mistral/magistral-medium-latest'],
  ['mistral-chat-tool-call.json', 'mistral/mistral-large-latest'],
  ['mistral-chat-cached-tokens.json', 'mistral/mistral-large-latest'],
  ['cerebras-chat-reasoning.json', 'cerebras/gpt-oss-120b'],
  ['cerebras-chat-tool-call.json', 'cerebras/qwen-3-coder-480b'],
  ['gemini-openai-compat-tool-call.json', 'google/gemini-2.5-pro'],
  ['gemini-openai-compat-text-after-tool.json', 'google/gemini-2.5-pro'],
];

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const join = (a: string | null, b: string | null): string | null => (b === null ? a : (a ?? '') + b);

/** Text and thinking of content that is a string or an array of typed parts (Mistral). */
function contentParts(content: unknown): { text: string | null; thinking: string | null } {
  if (!Array.isArray(content)) return { text: str(content), thinking: null };
  let text = '';
  let thinking: string | null = null;
  for (const p of content as Json[]) {
    if (typeof p['text'] === 'string') text += p['text'];
    else if (p['type'] === 'thinking') thinking = join(thinking, (p['thinking'] as Json[]).map((t) => String(t['text'])).join(''));
  }
  return { text, thinking };
}

const usageOf = (u: unknown) => {
  if (typeof u !== 'object' || u === null) return null;
  const o = u as Json;
  return {
    prompt_tokens: Number(o['prompt_tokens']),
    completion_tokens: Number(o['completion_tokens']),
    total_tokens: Number(o['total_tokens']),
  };
};

/** What the recording says, read directly from its raw payloads (the test's own reading, not the gateway's). */
function recordedStream(file: string, text: string): Essence {
  const e: Essence = { content: null, reasoning: null, toolCalls: [], finish: null, usage: null };
  for (const { data } of payloads(file, text)) {
    const chunk = data as Json;
    if (chunk['usage']) e.usage = usageOf(chunk['usage']);
    for (const choice of (chunk['choices'] as Json[] | undefined) ?? []) {
      const delta = (choice['delta'] ?? {}) as Json;
      const parts = contentParts(delta['content']);
      e.content = join(e.content, parts.text);
      e.reasoning = join(join(e.reasoning, str(delta['reasoning_content'])), parts.thinking);
      for (const [i, t] of ((delta['tool_calls'] as Json[] | undefined) ?? []).entries()) {
        const fn = (t['function'] ?? {}) as Json;
        const at = typeof t['index'] === 'number' ? t['index'] : e.toolCalls.length + i;
        e.toolCalls[at] ??= { id: '', name: '', arguments: '' };
        const call = e.toolCalls[at];
        if (t['id']) call.id = String(t['id']);
        if (fn['name']) call.name += String(fn['name']);
        if (fn['arguments']) call.arguments += String(fn['arguments']);
      }
      if (choice['finish_reason']) e.finish = String(choice['finish_reason']);
    }
  }
  return e;
}

function recordedCompletion(text: string): Essence {
  const body = JSON.parse(text) as Json;
  const choice = (body['choices'] as Json[])[0] as Json;
  const message = choice['message'] as Json;
  const parts = contentParts(message['content']);
  return {
    content: parts.text,
    reasoning: join(str(message['reasoning_content']) ?? str(message['reasoning']), parts.thinking),
    toolCalls: ((message['tool_calls'] as Json[] | null) ?? []).map((t) => ({
      id: String(t['id']),
      name: String((t['function'] as Json)['name']),
      arguments: String((t['function'] as Json)['arguments']),
    })),
    finish: String(choice['finish_reason']),
    usage: usageOf(body['usage']),
  };
}

/** What the gateway's chunks add up to, reasoning (an extension field) included. */
function streamed(chunks: ChatCompletionChunk[]): Essence {
  return recordedStream('x.chunks.jsonl', chunks.map((c) => JSON.stringify(c)).join('\n'));
}

function answered(c: ChatCompletion): Essence {
  return recordedCompletion(JSON.stringify(c));
}

/** An empty recorded id (Gemini) is replaced by a generated one: compare the rest. */
function withIdsFrom(ours: Essence, theirs: Essence): Essence {
  return { ...theirs, toolCalls: theirs.toolCalls.map((t, i) => (t.id === '' ? { ...t, id: ours.toolCalls[i]?.id ?? '' } : t)) };
}

// Compiling the spec's validators takes seconds on a busy machine: once, before the timed tests.
beforeAll(async () => {
  if (hasSpec) await Promise.all([specErrors('CreateChatCompletionStreamResponse', {}), specErrors('CreateChatCompletionResponse', {})]);
}, 120_000);

describe.skipIf(!hasProviders || !hasSpec)('recorded OpenAI-compatible streams', () => {
  for (const [file, model] of STREAMS) {
    it(`relays ${file} as spec-valid chunks with the recording's content, reasoning, tool calls, finish and usage`, async () => {
      const { chunks } = await attempt(target(model), { mock: { fixture: file } }, true);
      for (const chunk of chunks) expect(await specErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      const theirs = recordedStream(file, await recording(file));
      expect(streamed(chunks)).toEqual(theirs);
      // Usage comes once, on the final chunks only (never cumulative mid-stream copies).
      expect(chunks.filter((c) => c.usage).length).toBeLessThanOrEqual(1);
    });
  }
});

describe.skipIf(!hasProviders || !hasSpec)('recorded OpenAI-compatible completions', () => {
  for (const [file, model] of COMPLETIONS) {
    it(`returns ${file} as a spec-valid completion with the recording's content, reasoning, tool calls, finish and usage`, async () => {
      const { completion } = await attempt(target(model), { mock: { fixture: file } }, false);
      if (!completion) throw new Error('expected a completion');
      expect(await specErrors('CreateChatCompletionResponse', completion)).toEqual([]);
      const ours = answered(completion);
      expect(ours).toEqual(withIdsFrom(ours, recordedCompletion(await recording(file))));
      for (const call of ours.toolCalls) expect(call.id).not.toBe('');
    });
  }
});

describe.skipIf(!hasProviders || !hasSpec)('recorded OpenAI-compatible errors', () => {
  it('relays groq-error-400-tool-use-failed.json as a 400 with its code', async () => {
    const error = await failure(
      target('groq/openai/gpt-oss-120b'),
      { mock: { fixture: 'groq-error-400-tool-use-failed.json', status: 400 } },
      false,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).code).toBe('tool_use_failed');
  });

  it('relays openrouter-error-429-upstream-rate-limit.json as a retryable 429 with its numeric code as a string', async () => {
    const error = (await failure(
      target('openrouter/google/gemini-2.5-flash'),
      { mock: { fixture: 'openrouter-error-429-upstream-rate-limit.json', status: 429 } },
      false,
    )) as GatewayError;
    expect(error.status).toBe(429);
    expect(error.code).toBe('429');
  });

  it('ends groq-chat-stream-error-tool-use-failed.sse with the error its `event: error` carries, after the chunks before it', async () => {
    const t = target('groq/openai/gpt-oss-120b');
    const error = (await failure(t, { mock: { fixture: 'groq-chat-stream-error-tool-use-failed.sse' } }, true)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe('tool_use_failed');
  });
});

describe.skipIf(!hasProviders)('quirks the normaliser handles', () => {
  it("drops Groq's out-of-enum service_tier so chunks validate against OpenAI's schema", async () => {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      service_tier: 'on_demand',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }],
    };
    const { chunks } = await attempt(
      target('groq/llama-3.1-8b-instant'),
      { mock: { raw: { headers: { 'content-type': 'text/event-stream' }, body: `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n` } } },
      true,
    );
    expect(chunks[0]?.service_tier).toBeUndefined();
    if (hasSpec) expect(await specErrors('CreateChatCompletionStreamResponse', chunks[0])).toEqual([]);
  });

  it('keeps cumulative usage sent on every chunk only on the final chunk (google, streamUsage always)', async () => {
    const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gemini' };
    const frames = [
      {
        ...base,
        choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      },
      {
        ...base,
        choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      },
    ];
    const { id } = await scenario({});
    const { chunks } = await attempt(
      target('google/gemini-2.5-flash'),
      {
        mock: {
          id,
          raw: { headers: { 'content-type': 'text/event-stream' }, body: frames.map((f) => `data: ${JSON.stringify(f)}\n\n`).join('') },
        },
      },
      true,
    );
    expect(chunks.map((c) => c.usage?.completion_tokens ?? null)).toEqual([null, 2]);
    // Gemini is not asked with stream_options (it sends usage unasked).
    expect((await sentBodies(id))[0]?.['stream_options']).toBeUndefined();
  });

  it('keeps extra_content on streamed tool calls (Gemini 3 thought signatures ride on the call)', async () => {
    const signature = { google: { thought_signature: 'Cv8BAdHtim9+sig==' } };
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gemini-3-pro',
      choices: [
        {
          index: 0,
          delta: {
            role: 'assistant',
            tool_calls: [{ index: 0, id: '', type: 'function', function: { name: 'get_time', arguments: '{}' }, extra_content: signature }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const { chunks } = await attempt(
      target('google/gemini-3-pro'),
      { mock: { raw: { headers: { 'content-type': 'text/event-stream' }, body: `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n` } } },
      true,
    );
    const call = chunks[0]?.choices[0]?.delta.tool_calls?.[0] as unknown as Json;
    expect(call['extra_content']).toEqual(signature);
    // An empty id cannot pair a tool result: the gateway gives the call one.
    expect(call['id']).toMatch(/^call_/);
    if (hasSpec) expect(await specErrors('CreateChatCompletionStreamResponse', chunks[0])).toEqual([]);
  });

  it("sends Gemini's extra_content (thought signatures) back unchanged in the next turn", async () => {
    const { completion } = await attempt(
      target('google/gemini-2.5-pro'),
      { mock: { fixture: 'gemini-openai-compat-tool-call.json' } },
      false,
    );
    const message = completion?.choices[0]?.message as unknown as Json;
    expect(message['extra_content']).toEqual(
      JSON.parse(await recording('gemini-openai-compat-tool-call.json')).choices[0].message.extra_content,
    );
    const { id } = await scenario({});
    const call = (message['tool_calls'] as Json[])[0] as Json;
    const next = [
      { role: 'user', content: 'What is the current time?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ ...call, extra_content: message['extra_content'] }],
        extra_content: message['extra_content'],
      },
      { role: 'tool', tool_call_id: call['id'], content: 'Noon' },
    ];
    await attempt(
      target('google/gemini-2.5-pro'),
      { messages: next, mock: { id, fixture: 'gemini-openai-compat-text-after-tool.json' } },
      false,
    );
    const sent = (await sentBodies(id))[0]?.['messages'] as Json[];
    expect(sent[1]).toEqual(next[1]);
  });
});
