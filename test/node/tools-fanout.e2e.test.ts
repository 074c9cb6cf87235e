import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, mockUrl, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Issue 23, finding 5, over real HTTP in wrangler's runtime at the default settings: one answer asking for 300
// `calculate` calls ran all 300; a model that keeps asking for 200 `get_weather` calls made 400 outbound requests a
// step. Counted here from what a client and the mock upstream see (test/workers/tools-fanout.test.ts counts every
// outbound request).
const calls = (n: number, name: string, args: Record<string, unknown>) =>
  Array.from({ length: n }, (_, i) => ({ name, arguments: args, id: `call_${i}` }));

describe('tool fan-out over real HTTP, default settings', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway({
      OPEN_METEO_GEOCODING_URL: `${mockUrl}/open-meteo/v1/search`,
      OPEN_METEO_FORECAST_URL: `${mockUrl}/open-meteo/v1/forecast`,
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('runs 10 of the 300 calculate calls of one answer (TOOLS_MAX_CALLS_PER_TURN) and answers the other 290 as errors', async () => {
    const { model, id } = await scenario({ steps: [{ tool_calls: calls(300, 'calculate', { expression: '6*7' }) }, { content: 'Done.' }] });
    const response = await post('/stream', { prompt: 'compute', model, tools: ['calculate'] });
    expect(response.status).toBe(200);
    const results = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('event: tool_result'))
      .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as { result?: string; error?: string });
    expect(results).toHaveLength(300);
    expect(results.filter((r) => r.result !== undefined)).toHaveLength(10);
    expect(results.filter((r) => r.error?.startsWith('not run:'))).toHaveLength(290);
    expect((await mockCalls(id)).count).toBe(2);
  });

  it('stops a model that keeps asking for 200 get_weather calls within MAX_SUBREQUESTS (50): 4 model calls, not 5', async () => {
    const { model, id } = await scenario({ tool_calls: calls(200, 'get_weather', { city: 'Paris' }) });
    const response = await post(
      '/v1/chat/completions',
      { model, messages: [{ role: 'user', content: 'weather' }] },
      { 'x-gateway-tools': 'get_weather' },
    );
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { finish_reason: string }[]; gateway_tools: Record<string, unknown> };
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.gateway_tools).toMatchObject({ iterations: 4, max_subrequests_reached: true, max_iterations_reached: false });
    expect((await mockCalls(id)).count).toBe(4);
  });
});
