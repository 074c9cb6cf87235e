import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import { type DecodeOptions, decodeMessagesRequest } from '../../src/wire/anthropic-messages/decode-request.ts';
import { messagesErrorBody } from '../../src/wire/anthropic-messages/error-body.ts';
import { messagesSse } from '../../src/wire/anthropic-messages/stream-encoder.ts';
import { sseEvents } from './support/gateway.ts';

// The Messages codecs alone: pure functions, no app.

type Json = Record<string, unknown>;
const OPENAI: DecodeOptions = { native: false, reasoning: false, maxTokensField: 'max_tokens' };
const REASONING: DecodeOptions = { native: false, reasoning: true, maxTokensField: 'max_completion_tokens' };
const ANTHROPIC: DecodeOptions = { native: true, reasoning: false, maxTokensField: 'max_tokens' };
const base = { model: 'm', max_tokens: 100 };
const png = { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' };

const chunk = (delta: Json, finish: string | null = null): ChatCompletionChunk =>
  ({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'gpt-x',
    choices: [{ index: 0, delta, finish_reason: finish }],
  }) as ChatCompletionChunk;

describe('decodeMessagesRequest', () => {
  it('turns a tool result holding an image into the tool message, then the image in the user message', () => {
    const { body } = decodeMessagesRequest(
      {
        ...base,
        messages: [
          { role: 'user', content: 'Screenshot it.' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'shot', input: {} }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't1',
                is_error: true,
                content: [
                  { type: 'text', text: 'partial' },
                  { type: 'image', source: png },
                ],
              },
            ],
          },
        ],
      },
      OPENAI,
    );
    expect(body.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'Error: partial' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    ]);
  });

  it('maps a thinking budget to reasoning_effort for reasoning models only, and drops past thinking for other providers', () => {
    const input = {
      ...base,
      thinking: { type: 'enabled', budget_tokens: 10_000 },
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'text', text: 'a' },
          ],
        },
        { role: 'user', content: 'q2' },
      ],
    };
    const reasoning = decodeMessagesRequest(input, REASONING);
    expect(reasoning.body).toMatchObject({ reasoning_effort: 'medium', max_completion_tokens: 100 });
    expect(reasoning.thinking).toBe(true);
    expect(reasoning.body.messages[1]).toEqual({ role: 'assistant', content: 'a' });
    expect(decodeMessagesRequest(input, OPENAI).body).not.toHaveProperty('reasoning_effort');
    const unsigned = structuredClone(input);
    (unsigned.messages[1]?.content as Json[])[0] = { type: 'thinking', thinking: 'from another model', signature: '' };
    expect(decodeMessagesRequest(unsigned, ANTHROPIC).body.messages[1]).toEqual({ role: 'assistant', content: 'a' });
    expect(decodeMessagesRequest(input, ANTHROPIC).body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 10_000 },
      messages: [{}, { role: 'assistant', content: 'a', thinking_blocks: [{ type: 'thinking', thinking: 'hmm', signature: 's' }] }, {}],
    });
  });

  it('decodes tool_choice, output_config.format and documents', () => {
    const { body } = decodeMessagesRequest(
      {
        ...base,
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
        tool_choice: { type: 'any' },
        output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
              { type: 'document', title: 'a.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } },
            ],
          },
        ],
      },
      OPENAI,
    );
    expect(body).toMatchObject({
      tool_choice: 'required',
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' } } },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'notes' },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
          ],
        },
      ],
    });
  });

  it('accepts a Claude Code request: dozens of tools with cache_control, system blocks, metadata and beta-only hints', () => {
    const tools = Array.from({ length: 40 }, (_, i) => ({
      name: `Tool${i}`,
      description: `tool ${i}`,
      input_schema: { type: 'object', properties: { x: { type: 'string' } } },
      ...(i === 39 ? { cache_control: { type: 'ephemeral' } } : {}),
    }));
    const { body, stream } = decodeMessagesRequest(
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 32_000,
        stream: true,
        system: [
          { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Instructions.', cache_control: { type: 'ephemeral' } },
        ],
        tools,
        metadata: { user_id: 'user_abc_account__session_123' },
        context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      },
      OPENAI,
    );
    expect(stream).toBe(true);
    expect(body['tools']).toHaveLength(40);
    expect(JSON.stringify(body)).not.toMatch(/cache_control|context_management|user_abc/);
  });
});

describe('messagesSse', () => {
  it('streams reasoning as a thinking block only when the client asked for thinking', () => {
    const frames = (thinking: boolean) => {
      const encoder = messagesSse({ model: 'm', thinking });
      const out = [
        encoder.chunk(chunk({ role: 'assistant', content: '' })),
        encoder.chunk(chunk({ reasoning_content: 'Let me think.' })),
        encoder.chunk(chunk({ content: 'Answer.' })),
        encoder.chunk(chunk({}, 'stop')),
        encoder.end({ model: 'm', finishReason: 'stop', usage: undefined, costUsd: undefined, estimated: false }),
      ].join('');
      return sseEvents(out).map((e) => JSON.parse(e.data) as Json);
    };
    const starts = (events: Json[]) => events.filter((e) => e['type'] === 'content_block_start').map((e) => e['content_block']);
    expect(starts(frames(true))).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'text', text: '' },
    ]);
    expect(starts(frames(false))).toEqual([{ type: 'text', text: '' }]);
  });

  it('opens a tool_use block per tool call and sends a refusal as text with stop_reason refusal', () => {
    const encoder = messagesSse({ model: 'm', thinking: false });
    const out = [
      encoder.chunk(chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x"' } }] })),
      encoder.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] })),
      encoder.chunk(chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '' } }] })),
      encoder.chunk(chunk({ refusal: 'No.' })),
      encoder.end({ model: 'm', finishReason: 'stop', usage: undefined, costUsd: undefined, estimated: false }),
    ].join('');
    const events = sseEvents(out).map((e) => JSON.parse(e.data) as Json);
    expect(events.map((e) => e['type'])).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5]).toMatchObject({ index: 1, content_block: { type: 'tool_use', id: 'b', name: 'g', input: {} } });
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'refusal' } });
  });
});

describe('messagesErrorBody', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [415, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [504, 'api_error'],
  ])('names a %i %s', (status, type) => {
    expect(messagesErrorBody(new GatewayError(status, 'why'))).toEqual({ type: 'error', error: { type, message: 'why' } });
  });

  it('calls an overloaded upstream overloaded_error', () => {
    expect(messagesErrorBody(new GatewayError(503, 'busy', { code: 'upstream_overloaded' })).error.type).toBe('overloaded_error');
  });
});
