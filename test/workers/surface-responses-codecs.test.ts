import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import { decodeResponsesRequest } from '../../src/wire/openai-responses/decode-request.ts';
import { encodeResponse, type ResponseContext } from '../../src/wire/openai-responses/encode-response.ts';
import { responsesSse } from '../../src/wire/openai-responses/stream-encoder.ts';
import { sseEvents } from './support/gateway.ts';

// The Responses codecs alone: pure functions from a request to a chat body, and from chunks to events.

type Json = Record<string, unknown>;
const PLAIN = { reasoning: false, maxTokensField: 'max_tokens' } as const;
const REASONING = { reasoning: true, maxTokensField: 'max_completion_tokens' } as const;
const decode = (extra: Json, options: typeof PLAIN | typeof REASONING = PLAIN) =>
  decodeResponsesRequest({ model: 'openai/gpt-4o-mini', input: 'hi', ...extra }, options);
const refusal = (extra: Json): { param: string | null; message: string } => {
  try {
    decode(extra);
  } catch (error) {
    return { param: (error as GatewayError).param, message: (error as GatewayError).message };
  }
  throw new Error('not refused');
};

const context = (customTools: string[] = []): ResponseContext => ({
  echo: {},
  customTools: new Set(customTools),
  createdAt: 1_700_000_000,
  model: 'openai/gpt-4o-mini',
});
const chunk = (delta: Json, finish: string | null = null): ChatCompletionChunk =>
  ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-x',
    choices: [{ index: 0, delta, finish_reason: finish }],
  }) as ChatCompletionChunk;
const events = (text: string) => sseEvents(text).map((e) => JSON.parse(e.data) as Json);
const END = {
  model: 'm',
  finishReason: 'stop',
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  costUsd: undefined,
  estimated: false,
};

describe('the Responses request decoder', () => {
  it('folds parallel function_call items (and the text before them) into one assistant message, outputs into tool messages, returned images after them', () => {
    const { body } = decode({
      input: [
        { role: 'user', content: 'Two cities' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
        { type: 'function_call', call_id: 'a', name: 'w', arguments: '{"c":"A"}' },
        { type: 'function_call', call_id: 'b', name: 'w', arguments: '{"c":"B"}' },
        { type: 'function_call_output', call_id: 'a', output: 'sun' },
        {
          type: 'function_call_output',
          call_id: 'b',
          output: [
            { type: 'input_text', text: 'rain' },
            { type: 'input_image', image_url: 'https://example.com/radar.png' },
          ],
        },
        { type: 'reasoning', id: 'rs_2', summary: [] },
        { role: 'user', content: 'And?' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Two cities' },
      {
        role: 'assistant',
        content: 'Looking.',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'w', arguments: '{"c":"A"}' } },
          { id: 'b', type: 'function', function: { name: 'w', arguments: '{"c":"B"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'sun' },
      { role: 'tool', tool_call_id: 'b', content: 'rain' },
      // The image a tool returned follows all the tool messages, as the user's (a tool message holds text only).
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/radar.png' } }] },
      { role: 'user', content: 'And?' },
    ]);
  });

  it('turns reasoning.effort into reasoning_effort only for models that reason, and max_output_tokens into their field', () => {
    expect(decode({ reasoning: { effort: 'low', summary: 'auto' }, max_output_tokens: 50 }, REASONING).body).toMatchObject({
      reasoning_effort: 'low',
      max_completion_tokens: 50,
    });
    const plain = decode({ reasoning: { effort: 'low' }, max_output_tokens: 50 }).body;
    expect(plain).toMatchObject({ max_tokens: 50 });
    expect(plain).not.toHaveProperty('reasoning_effort');
  });

  it('decodes text.format json_object, a custom tool choice, input_file, and truncation auto', () => {
    const decoded = decode({
      input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' }] }],
      text: { format: { type: 'json_object' }, verbosity: 'low' },
      tools: [{ type: 'custom', name: 'shell', format: { type: 'grammar', syntax: 'lark', definition: 'start: "ls"' } }],
      tool_choice: { type: 'custom', name: 'shell' },
      truncation: 'auto',
    });
    expect(decoded.body).toMatchObject({
      messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' } }] }],
      response_format: { type: 'json_object' },
      tool_choice: { type: 'function', function: { name: 'shell' } },
    });
    // A grammar no chat wire can enforce travels as the one argument's description.
    const tool = (decoded.body['tools'] as Json[])[0] as { function: { parameters: { properties: { input: Json } } } };
    expect(tool.function.parameters.properties.input['description']).toContain('lark grammar');
    expect(decoded.truncate).toBe(true);
    expect([...decoded.customTools]).toEqual(['shell']);
  });

  it('refuses what it cannot translate with a 400 naming the field', () => {
    expect(refusal({ tools: [{ type: 'image_generation' }] })).toMatchObject({
      param: 'tools[0].type',
      message: expect.stringContaining("'image_generation'"),
    });
    expect(refusal({ tools: [{ type: 'mcp', server_label: 'x' }] }).message).toContain(
      'OpenAI runs it as a hosted tool, or only its own models know how to call it',
    );
    expect(refusal({ tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [] } }).param).toBe('tool_choice.type');
    expect(refusal({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }).param).toBe(
      'input[0].content[0].image_url',
    );
    expect(refusal({ input: [{ type: 'web_search_call', id: 'ws_1' }] }).param).toBe('input[0].type');
    expect(refusal({ metadata: { n: 1 } }).param).toBe('metadata.n');
    expect(refusal({ include: [1] }).param).toBe('include[0]');
    expect(refusal({ conversation: 'conv_1' }).param).toBe('conversation');
    expect(refusal({ background: true }).param).toBe('background');
    expect(refusal({ input: [{ type: 'reasoning', id: 'rs', summary: [] }] }).param).toBe('input');
  });

  it('accepts what Codex sends and drops what no chat upstream takes: store, include, prompt_cache_key, reasoning items', () => {
    const { body, echo } = decode({
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'session-1',
      parallel_tool_calls: false,
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Rules.' }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thought' }], encrypted_content: 'x' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Go' }] },
      ],
    });
    expect(body).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Rules.' },
        { role: 'user', content: 'Go' },
      ],
    });
    expect(echo).toMatchObject({ parallel_tool_calls: false, tools: [], tool_choice: 'auto' });
  });
});

describe('the Responses encoders', () => {
  it('streams two tool calls after text as three output items, each closed before the next opens', () => {
    const sse = responsesSse(context());
    let out = sse.chunk(chunk({ role: 'assistant', content: 'Two.' }));
    out += sse.chunk(chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'w', arguments: '{"c":' } }] }));
    out += sse.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '"A"}' } }] }));
    out += sse.chunk(
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'w', arguments: '{"c":"B"}' } }] }, 'tool_calls'),
    );
    out += sse.end(END);
    const sent = events(out);
    expect(sent.map((e) => [e['type'], e['output_index'] ?? null])).toEqual([
      ['response.created', null],
      ['response.in_progress', null],
      ['response.output_item.added', 0],
      ['response.content_part.added', 0],
      ['response.output_text.delta', 0],
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    const final = sent.at(-1)?.['response'] as Json;
    expect(final['output']).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'Two.' }] },
      { type: 'function_call', call_id: 'a', arguments: '{"c":"A"}', status: 'completed' },
      { type: 'function_call', call_id: 'b', arguments: '{"c":"B"}', status: 'completed' },
    ]);
    expect(final['usage']).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5,
    });
  });

  it('streams a refusal as a refusal part, and a custom tool call as custom_tool_call_input events', () => {
    const sse = responsesSse(context(['apply_patch']));
    let out = sse.chunk(chunk({ refusal: 'I cannot.' }));
    out += sse.chunk(
      chunk({ tool_calls: [{ index: 0, id: 'p', type: 'function', function: { name: 'apply_patch', arguments: '{"input":' } }] }),
    );
    out += sse.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '"diff"}' } }] }, 'tool_calls'));
    out += sse.end(END);
    const sent = events(out);
    expect(sent.map((e) => e['type'])).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.delta',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect((sent.at(-1)?.['response'] as Json | undefined)?.['output']).toMatchObject([
      { type: 'message', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
      { type: 'custom_tool_call', call_id: 'p', name: 'apply_patch', input: 'diff' },
    ]);
  });

  it('ends a failure before the first chunk with the announcement, an error event and response.failed', () => {
    const sse = responsesSse(context());
    const sent = events(sse.error(new GatewayError(503, 'Upstream overloaded.', { code: 'upstream_overloaded' })));
    expect(sent.map((e) => e['type'])).toEqual(['response.created', 'response.in_progress', 'error', 'response.failed']);
    expect(sent[2]).toMatchObject({ code: 'upstream_overloaded', message: 'Upstream overloaded.', param: null, sequence_number: 2 });
    expect(sent[3]?.['response']).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Upstream overloaded.' },
      output: [],
    });
  });

  it('answers a completion cut at the limit as incomplete, its message item incomplete too', () => {
    const answer = encodeResponse(
      {
        id: 'chatcmpl-9',
        object: 'chat.completion',
        created: 5,
        model: 'gpt-x',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Cut', refusal: null }, finish_reason: 'length', logprobs: null }],
      },
      context(),
      { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    );
    expect(answer).toMatchObject({
      id: 'resp_chatcmpl-9',
      created_at: 5,
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Cut' }] }],
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      store: false,
    });
  });
});
