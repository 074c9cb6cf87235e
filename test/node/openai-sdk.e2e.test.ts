import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway } from './support/gateway-server.ts';

// The official openai SDK against the running gateway, used exactly as its README shows: only baseURL and apiKey change.
describe('the official openai SDK against the running gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let client: OpenAI;
  beforeAll(async () => {
    gateway = await startGateway();
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });
  });
  afterAll(() => gateway?.close());

  it('gets a non-stream completion', async () => {
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock upstream. You said: Hello there');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams token by token, with usage when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream this' }], stream: true, stream_options: { include_usage: true } });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) pieces.push(piece);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Hello from the mock upstream. You said: Stream this');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('raises AuthenticationError for a wrong gateway key', async () => {
    const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
