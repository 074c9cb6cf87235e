import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import '../provided-context.ts';
import { mockCalls, scenario, scriptedApp, settled, sseEvents, call } from './support/gateway.ts';

// Issue 23, finding 5: one model answer asking for hundreds of tool calls ran them all (300 `calculate`s; 200
// `get_weather`s made 400 outbound requests in one step, past the Workers limit of 50 per request). Counted here:
// the tools that ran, and every outbound request the gateway made (its one injected fetch: model calls and tool fetches).
const mockUrl = inject('mockUrl');
const openMeteo = {
  OPEN_METEO_GEOCODING_URL: `${mockUrl}/open-meteo/v1/search`,
  OPEN_METEO_FORECAST_URL: `${mockUrl}/open-meteo/v1/forecast`,
};

const manyCalls = (n: number, name: string, args: Record<string, unknown>) =>
  Array.from({ length: n }, (_, i) => ({ name, arguments: args, id: `call_${i}` }));

/** An app whose every outbound request is counted, by URL. */
function countingApp() {
  const urls: string[] = [];
  const { app } = scriptedApp({
    fetch: (input, init) => {
      urls.push(new Request(input, init).url);
      return fetch(input, init);
    },
  });
  return { app, urls };
}

describe('tool fan-out per turn and per request', () => {
  it('runs at most TOOLS_MAX_CALLS_PER_TURN (10) of 300 calls in one answer; the model reads an error for each of the other 290', async () => {
    const { model, id } = await scenario({
      steps: [{ tool_calls: manyCalls(300, 'calculate', { expression: '6*7' }) }, { content: 'Done.' }],
    });
    const response = await call('/stream', { json: { prompt: 'compute', model, tools: ['calculate'] } });
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    await settled(response);
    const results = events.filter((e) => e.event === 'tool_result').map((e) => JSON.parse(e.data) as { result?: string; error?: string });
    expect(results).toHaveLength(300);
    const ran = results.filter((r) => r.result !== undefined);
    expect(ran).toHaveLength(10);
    expect(ran.every((r) => JSON.parse(r.result ?? '').result === 42)).toBe(true);
    const refused = results.filter((r) => r.error !== undefined);
    expect(refused).toHaveLength(290);
    expect(refused[0]?.error).toMatch(/^not run: .*at most 10 run per answer \(TOOLS_MAX_CALLS_PER_TURN\)/);
    // The model is called again with a `tool` message for every call it made: 10 results, 290 errors.
    const upstream = await mockCalls(id);
    expect(upstream.count).toBe(2);
    const messages = upstream.requests[1]?.body['messages'] as { role: string; content: string }[];
    const tools = messages.filter((m) => m.role === 'tool');
    expect(tools).toHaveLength(300);
    expect(tools.filter((m) => m.content.startsWith('error: not run:'))).toHaveLength(290);
  });

  it('a model that keeps asking for 200 get_weather calls makes at most MAX_SUBREQUESTS (50) outbound requests in all, then the loop stops', async () => {
    const { model, id } = await scenario({ tool_calls: manyCalls(200, 'get_weather', { city: 'Paris' }) });
    const { app, urls } = countingApp();
    const response = await call('/v1/chat/completions', {
      app,
      env: openMeteo,
      json: { model, messages: [{ role: 'user', content: 'weather, many times' }] },
      headers: { 'x-gateway-tools': 'get_weather' },
    });
    expect(response.status).toBe(200);
    const completion = await response.json<{ choices: { finish_reason: string }[]; gateway_tools: Record<string, unknown> }>();
    // 10 calls a turn, 2 fetches each: 1 + 20, 1 + 20, then 1 + 6 (one request kept for the model), then the model once more.
    expect(urls).toHaveLength(50);
    const modelCalls = urls.filter((u) => u.includes('/chat/completions')).length;
    expect(modelCalls).toBe(4);
    expect((await mockCalls(id)).count).toBe(4);
    expect(urls.filter((u) => u.includes('/open-meteo/'))).toHaveLength(46);
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.gateway_tools).toMatchObject({ iterations: 4, max_iterations_reached: false, max_subrequests_reached: true });
    // The fetches past the budget were refused with words the model can read.
    const messages = completion.gateway_tools['messages'] as { role: string; content?: string }[];
    expect(messages.some((m) => m.role === 'tool' && /MAX_SUBREQUESTS/.test(m.content ?? ''))).toBe(true);
  });

  it('MAX_SUBREQUESTS also bounds the model calls of a step: its attempts are narrowed to what is left', async () => {
    const { model, id } = await scenario({ status: 503 });
    const { app, urls } = countingApp();
    const response = await call('/chat', {
      app,
      env: { MAX_SUBREQUESTS: '2', MAX_ATTEMPTS: '5' },
      json: { prompt: 'hi', model, tools: ['calculate'] },
    });
    expect(response.status).toBe(503);
    expect(urls).toHaveLength(2);
    expect((await mockCalls(id)).count).toBe(2);
  });
});
