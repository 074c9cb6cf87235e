// The one log line per request is built from the call outcomes: checked through HTTP, on what it prints.
import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import { call, chatBody, mockCalls, scenario, scriptedApp } from './support/gateway.ts';
import { watchLogLines } from './support/log-lines.ts';

type LogLine = Record<string, unknown> & { attempts?: { model: string; status: number; error?: string; ms: number }[] };

const { logLineOf } = watchLogLines<LogLine>();

const city = {
  type: 'object',
  properties: { city: { type: 'string' }, temperature: { type: 'number' }, units: { type: 'string', enum: ['c', 'f'] } },
  required: ['city', 'temperature', 'units'],
  additionalProperties: false,
};

describe('the log line', () => {
  it('of a request whose every attempt failed lists every attempt, in order, with its model, status and error', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { id, body } = chatBody({ status: 503 }, { models: ['openai/gpt-4.1-mini'] });
    const response = await call('/v1/chat/completions', { json: body, app, headers: { 'x-gateway-max-attempts': '2' } });
    expect(response.status).toBe(503);
    expect((await mockCalls(id)).count).toBe(4);
    const line = logLineOf(response);
    expect(line).toMatchObject({ status: 503, route: '/v1/chat/completions', model: 'openai/gpt-4.1-mini' });
    expect(line.attempts?.map((a) => [a.model, a.status])).toEqual([
      ['openai/gpt-4o-mini', 503],
      ['openai/gpt-4o-mini', 503],
      ['openai/gpt-4.1-mini', 503],
      ['openai/gpt-4.1-mini', 503],
    ]);
    expect(line.attempts?.every((a) => typeof a.error === 'string' && typeof a.ms === 'number')).toBe(true);
  });

  it('of an /extract served from the cache says HIT with 0 tokens, while the call that paid logs its tokens', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { model, id } = await scenario({});
    const ask = { schema: city, text: 'It is 21 degrees in Paris.', model };
    const paid = await call('/extract', { json: ask, app });
    expect(paid.status).toBe(200);
    const paidLine = logLineOf(paid);
    expect(paidLine).toMatchObject({ route: '/extract', cache: 'MISS' });
    expect(paidLine['prompt_tokens']).toBeGreaterThan(0);
    expect(paidLine['completion_tokens']).toBeGreaterThan(0);
    const cached = await call('/extract', { json: ask, app });
    expect(cached.status).toBe(200);
    expect((await mockCalls(id)).count).toBe(1);
    expect(logLineOf(cached)).toMatchObject({ route: '/extract', cache: 'HIT', prompt_tokens: 0, completion_tokens: 0, attempts: [] });
  });
});
