import { describe, expect, it, vi } from 'vitest';
import { call, mockCalls, scenario, settled, sseEvents } from './support/gateway.ts';

// The mock asks for a server tool on its first call and answers in words on the second.
const twoSteps = (content = 'It is 4.') =>
  scenario({
    steps: [
      { tool_calls: [{ name: 'calculate', arguments: { expression: '2+2' } }], usage: { prompt_tokens: 20, completion_tokens: 5 } },
      { content, usage: { prompt_tokens: 40, completion_tokens: 3 } },
    ],
  });

describe('server tools through the routes', () => {
  it('/stream runs a server tool between two model calls and streams tool_call, tool_result, then the answer', async () => {
    const { model, id } = await twoSteps();
    const response = await call('/stream', { json: { prompt: 'What is 2+2?', model, tools: ['calculate'] } });
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    const names = events.map((e) => e.event);
    expect(names.indexOf('tool_call')).toBeLessThan(names.indexOf('tool_result'));
    expect(names.indexOf('tool_result')).toBeLessThan(names.indexOf('delta'));
    const call0 = JSON.parse(events.find((e) => e.event === 'tool_call')?.data ?? '{}');
    expect(call0).toMatchObject({ name: 'calculate', server: true });
    const result = JSON.parse(events.find((e) => e.event === 'tool_result')?.data ?? '{}');
    expect(result).toMatchObject({ name: 'calculate' });
    expect(JSON.parse(result.result)).toMatchObject({ result: 4 });
    expect(
      events
        .filter((e) => e.event === 'delta')
        .map((e) => JSON.parse(e.data).content)
        .join(''),
    ).toBe('It is 4.');
    const usage = JSON.parse(events.find((e) => e.event === 'usage')?.data ?? '{}');
    expect(usage).toMatchObject({ prompt_tokens: 60, completion_tokens: 8, total_tokens: 68 });
    const calls = await mockCalls(id);
    expect(calls.count).toBe(2);
    // The second call carries the assistant's tool call and its result.
    const second = calls.requests[1]?.body['messages'] as { role: string; content?: unknown; tool_call_id?: string }[];
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(second[2]?.content).toBe(result.result);
  });

  it('/chat and /v1/chat/completions (x-gateway-tools) answer after the loop; unknown tools are 400 before any upstream call', async () => {
    const chat = await twoSteps('Four.');
    const answer = await call('/chat', { json: { prompt: 'What is 2+2?', model: chat.model, tools: ['calculate'] } });
    expect(answer.status).toBe(200);
    expect((await answer.json<{ content: string }>()).content).toBe('Four.');
    const v1 = await twoSteps('Four again.');
    const completion = await call('/v1/chat/completions', {
      json: { model: v1.model, messages: [{ role: 'user', content: '2+2?' }] },
      headers: { 'x-gateway-tools': 'calculate' },
    });
    expect((await completion.json<{ choices: { message: { content: string } }[] }>()).choices[0]?.message.content).toBe('Four again.');
    const unknown = await twoSteps();
    const refused = await call('/chat', { json: { prompt: 'hi', model: unknown.model, tools: ['rm_rf'] } });
    expect(refused.status).toBe(400);
    expect((await refused.json<{ error: { code: string } }>()).error.code).toBe('unknown_tool');
    expect((await mockCalls(unknown.id)).count).toBe(0);
  });
});

describe('the tool loop in the log line', () => {
  it('says how many steps the loop took and that the bound stopped a model that never stops asking', async () => {
    const { model } = await scenario({ tool_calls: [{ name: 'calculate', arguments: { expression: '1+1' } }] });
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      const response = await call('/chat', { json: { prompt: 'loop forever', model, tools: ['calculate'], max_iterations: 3 } });
      expect(response.status).toBe(200);
      expect((await response.json<{ finish_reason: string }>()).finish_reason).toBe('length');
      await settled(response);
    } finally {
      spy.mockRestore();
    }
    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['route'] === '/chat');
    expect(log).toMatchObject({ tool_iterations: 3, tool_bound_hit: true });
  });
});
