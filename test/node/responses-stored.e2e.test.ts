import OpenAI, { NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Stored responses over real HTTP, as `npm start` runs the gateway (wrangler.toml's [env.dev], which repeats the
// RESPONSES binding and its migration): the openai SDK creates, retrieves, continues and deletes.
describe('stored Responses API answers against the running gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let client: OpenAI;
  beforeAll(async () => {
    gateway = await startGateway(NO_GATEWAY_RETRIES);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
  });
  afterAll(() => gateway?.close());

  it('stores a response, continues it with previous_response_id, retrieves a streamed one, and deletes', async () => {
    const { model, id } = await scenario({ steps: [{ content: 'Noted: blue.' }, { content: 'Blue.' }] });
    const first = await client.responses.create({ model, input: 'My colour is blue.' });
    expect((await client.responses.retrieve(first.id)).output_text).toBe('Noted: blue.');
    const second = await client.responses.stream({ model, previous_response_id: first.id, input: 'My colour?' }).finalResponse();
    expect(second.output_text).toBe('Blue.');
    // To openai/* the continuation passes through stateless: the stored conversation, then the new input, as items.
    const sent = (await mockCalls(id)).requests[1];
    expect(sent?.url).toBe('/v1/responses');
    expect(sent?.body).toMatchObject({
      store: false,
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'My colour is blue.' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Noted: blue.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'My colour?' }] },
      ],
    });
    expect(sent?.body).not.toHaveProperty('previous_response_id');
    expect((await client.responses.retrieve(second.id)).previous_response_id).toBe(first.id);
    await client.responses.delete(first.id);
    await expect(client.responses.retrieve(first.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
