import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, mockUrl, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

const UPSTREAM_KEY = 'sk-ant-e2e-upstream-0000000000';

// The Anthropic wire in the running gateway (wrangler's bundle in workerd, over real HTTP): its own `fetch` to the
// mock's Messages endpoint, with no SDK in the bundle, answers chat completions streamed and not.
describe('anthropic/ models through the running gateway, at the mock Messages API', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway({ ANTHROPIC_BASE_URL: mockUrl, ANTHROPIC_API_KEY: UPSTREAM_KEY, MAX_ATTEMPTS: '1' });
  });
  afterAll(() => gateway?.close());

  /** A chat completion for `anthropic/<the scenario>`, and what the mock received for it. */
  async function chat(stream: boolean) {
    const { id } = await scenario({ content: 'Hello from Messages.' });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `anthropic/${id}`, messages: [{ role: 'user', content: 'hi' }], stream }),
    });
    return { status: response.status, text: await response.text(), sent: (await mockCalls(id)).requests };
  }

  it('answers a chat completion from POST /v1/messages, sent with x-api-key and anthropic-version 2023-06-01', async () => {
    const { status, text, sent } = await chat(false);
    expect(status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'Hello from Messages.' } }] });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('/v1/messages');
    expect(sent[0]?.headers).toMatchObject({ 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' });
  });

  it('relays the Messages event stream as chat completion chunks ending in [DONE]', async () => {
    const { status, text, sent } = await chat(true);
    expect(status, text).toBe(200);
    const content = [...text.matchAll(/^data: (\{.*\})$/gm)]
      .map((m) => JSON.parse(m[1]!) as { choices: { delta?: { content?: string } }[] })
      .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
      .join('');
    expect(content).toBe('Hello from Messages.');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sent[0]?.body['stream']).toBe(true);
  });
});
