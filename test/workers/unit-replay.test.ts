import { describe, expect, it } from 'vitest';
import type { ChatCompletion } from '../../src/core/types.ts';
import { accumulate } from '../../src/stream/accumulate.ts';
import { replay } from '../../src/stream/replay.ts';

const base = { id: 'chatcmpl-9', object: 'chat.completion' as const, created: 1700000000, model: 'gpt-4o-mini' };
const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };
const choice = (
  index: number,
  message: Partial<ChatCompletion.Choice['message']>,
  finish: ChatCompletion.Choice['finish_reason'] = 'stop',
): ChatCompletion.Choice => ({
  index,
  message: { role: 'assistant', content: null, refusal: null, ...message },
  finish_reason: finish,
  logprobs: null,
});

const answers: Record<string, ChatCompletion> = {
  'plain text with usage and a fingerprint': {
    ...base,
    system_fingerprint: 'fp_9',
    choices: [choice(0, { content: 'Hello there, how are you today?\nFine.' })],
    usage,
  },
  'empty content': { ...base, choices: [choice(0, { content: '' })] },
  'tool calls and no content': {
    ...base,
    choices: [
      choice(
        0,
        {
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
    ],
    usage,
  },
  'a refusal': { ...base, choices: [choice(0, { refusal: 'I cannot help with that.' })] },
  'several choices, one cut at max_tokens': {
    ...base,
    choices: [choice(0, { content: 'One answer' }), choice(1, { content: 'Another, longer' }, 'length')],
    usage,
  },
};

describe('replay', () => {
  for (const [name, completion] of Object.entries(answers)) {
    it(`then accumulate gives back the same completion: ${name}`, () => {
      expect(accumulate(replay(completion))).toEqual(completion);
    });
  }

  it('streams like a live upstream: a role chunk, content in several word pieces, a finish chunk, then usage alone', () => {
    const chunks = replay(answers['plain text with usage and a fingerprint']!);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const pieces = chunks
      .flatMap((c) => c.choices.map((x) => x.delta.content))
      .filter((t): t is string => typeof t === 'string' && t !== '');
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Hello there, how are you today?\nFine.');
    expect(chunks.at(-2)?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === 'chatcmpl-9' && c.system_fingerprint === 'fp_9')).toBe(
      true,
    );
  });

  it('sends each tool call whole, at its own index', () => {
    const calls = replay(answers['tool calls and no content']!).flatMap((c) => c.choices.flatMap((x) => x.delta.tool_calls ?? []));
    expect(calls.map((t) => [t.index, t.id, t.function?.name])).toEqual([
      [0, 'call_1', 'get_weather'],
      [1, 'call_2', 'get_time'],
    ]);
  });

  it('sends no usage chunk for an answer without usage', () => {
    expect(replay(answers['empty content']!).every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });
});

describe('replay keeps provider extensions', () => {
  it('round-trips reasoning_content, thinking blocks and a tool call’s extra_content through replay and accumulate', () => {
    const completion = {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          logprobs: null,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            reasoning_content: 'thinking it over',
            thinking_blocks: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }],
            tool_calls: [
              {
                id: 't1',
                type: 'function',
                function: { name: 'f', arguments: '{}' },
                extra_content: { google: { thought_signature: 'abc' } },
              },
            ],
          },
        },
      ],
    } as unknown as ChatCompletion;
    const again = accumulate(replay(completion)).choices[0]?.message as unknown as Record<string, unknown>;
    expect(again['reasoning_content']).toBe('thinking it over');
    expect(again['thinking_blocks']).toEqual([{ type: 'thinking', thinking: 'hmm', signature: 'sig' }]);
    expect((again['tool_calls'] as { extra_content?: unknown }[])[0]?.extra_content).toEqual({ google: { thought_signature: 'abc' } });
  });
});
