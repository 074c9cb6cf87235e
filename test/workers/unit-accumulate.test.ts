import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../src/core/types.ts';
import { accumulate, ChunkAccumulator } from '../../src/stream/accumulate.ts';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1700000000, model: 'gpt-4o-mini' };
const chunk = (choices: ChatCompletionChunk.Choice[], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  ...base,
  choices,
  ...extra,
});
const delta = (
  d: ChatCompletionChunk.Choice.Delta,
  index = 0,
  finish: ChatCompletionChunk.Choice['finish_reason'] = null,
): ChatCompletionChunk => chunk([{ index, delta: d, finish_reason: finish }]);

describe('accumulate', () => {
  it('joins content, keeps the finish reason and the first chunk’s id, model, created and fingerprint', () => {
    const completion = accumulate([
      delta({ role: 'assistant', content: '' }),
      { ...delta({ content: 'Hel' }), system_fingerprint: 'fp_1', service_tier: 'default' },
      delta({ content: 'lo' }),
      delta({}, 0, 'stop'),
    ]);
    expect(completion).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, finish_reason: 'stop', logprobs: null }],
    });
  });

  it('takes the fingerprint and service tier from the first chunk', () => {
    const completion = accumulate([
      { ...delta({ content: 'a' }), system_fingerprint: 'fp_1', service_tier: 'flex' },
      { ...delta({ content: 'b' }), system_fingerprint: 'fp_2' },
    ]);
    expect(completion.system_fingerprint).toBe('fp_1');
    expect(completion.service_tier).toBe('flex');
  });

  it('keeps the usage of a usage chunk (no choices), and adds no choice for it', () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    const completion = accumulate([delta({ content: 'Hi' }, 0, 'stop'), chunk([], { usage })]);
    expect(completion.usage).toEqual(usage);
    expect(completion.choices).toHaveLength(1);
  });

  it('gathers tool calls by index, joining name and argument fragments, the id from the chunk that has it', () => {
    const completion = accumulate([
      delta({ role: 'assistant', content: null }),
      delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } }] }),
      delta({ tool_calls: [{ index: 0, function: { name: 'weather', arguments: '{"city":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      delta({}, 0, 'tool_calls'),
    ]);
    const message = completion.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('keeps choices apart by index (n > 1), in index order whatever the arrival order', () => {
    const completion = accumulate([
      delta({ content: 'B1' }, 1),
      delta({ content: 'A1' }, 0),
      delta({ content: 'B2' }, 1, 'length'),
      delta({ content: 'A2' }, 0, 'stop'),
    ]);
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'A1A2', 'stop'],
      [1, 'B1B2', 'length'],
    ]);
  });

  it('joins a refusal, and concatenates logprobs', () => {
    const token = (t: string) => ({ token: t, logprob: -0.1, bytes: null, top_logprobs: [] });
    const completion = accumulate([
      chunk([
        { index: 0, delta: { refusal: 'I can' }, finish_reason: null, logprobs: { content: null, refusal: [token('I'), token(' can')] } },
      ]),
      chunk([{ index: 0, delta: { refusal: 'not.' }, finish_reason: 'stop', logprobs: { content: null, refusal: [token('not.')] } }]),
    ]);
    expect(completion.choices[0]?.message.refusal).toBe('I cannot.');
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.logprobs).toEqual({ content: [], refusal: [token('I'), token(' can'), token('not.')] });
  });

  it('tells a cut stream (no finish reason yet) from a finished one, and still folds what came', () => {
    const acc = new ChunkAccumulator();
    acc.add(delta({ role: 'assistant', content: 'Half' }));
    expect(acc.finished).toBe(false);
    expect(acc.result().choices[0]?.message.content).toBe('Half');
    acc.add(delta({}, 0, 'stop'));
    expect(acc.finished).toBe(true);
    expect(acc.usage).toBeUndefined();
  });

  it('folds nothing into an empty completion with an id of its own', () => {
    const completion = accumulate([]);
    expect(completion.choices).toEqual([]);
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.usage).toBeUndefined();
  });
});
