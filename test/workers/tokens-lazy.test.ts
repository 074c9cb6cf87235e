import { describe, expect, it } from 'vitest';
import { loadedEncodings } from '../../src/tokens/encodings.ts';
import { call, chatBody } from './support/gateway.ts';

// This file's isolate starts with no encoding loaded; its tests run in order and watch what each request loads.
describe('the tokenizer encodings load at first use', () => {
  it('are not loaded by a plain chat call', async () => {
    expect(loadedEncodings()).toEqual([]);
    const completions = await call('/v1/chat/completions', { json: chatBody().body });
    expect(completions.status).toBe(200);
    const chat = await call('/chat', { json: { messages: [{ role: 'user', content: 'Hello' }] } });
    expect(chat.status).toBe(200);
    expect(loadedEncodings()).toEqual([]);
  });

  it('loads o200k_base for the first count of a current OpenAI model, and counts with it', async () => {
    const response = await call('/v1/tokens/count', {
      json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'Hello there' }] },
    });
    expect(await response.json()).toMatchObject({ tokens: 9, estimated: false });
    expect(loadedEncodings()).toEqual(['o200k_base']);
  });

  it('loads cl100k_base only for a model that uses it', async () => {
    const response = await call('/v1/tokens/count', {
      json: { model: 'openai/gpt-4', messages: [{ role: 'user', content: 'Hello there' }] },
    });
    expect(await response.json()).toMatchObject({ tokens: 9, estimated: false });
    expect(loadedEncodings()).toEqual(['o200k_base', 'cl100k_base']);
  });
});
