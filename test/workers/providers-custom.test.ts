import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.ts';
import type { ChatCompletion } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import { adaptRequest, structuredOutputOf } from '../../src/providers/adapt-request.ts';
import { resolveModel } from '../../src/providers/resolve-model.ts';
import { call, chatBody, mockCalls, mockUrl, sseEvents } from './support/gateway.ts';
import { attempt, target } from './support/providers.ts';

// CUSTOM_PROVIDERS: any OpenAI-compatible server by configuration, validated at config parse.
const VLLM = JSON.stringify({
  vllm: { base_url: `${mockUrl}/v1`, key_secret: 'VLLM_API_KEY', structured_output: 'json_object', include_usage: false },
});

const configError = (value: string): GatewayError => {
  try {
    parseConfig({ ...env, CUSTOM_PROVIDERS: value });
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a config error');
};

describe('CUSTOM_PROVIDERS', () => {
  it('answers a chat completion from a custom provider end to end, with its own key', async () => {
    const { id, body } = chatBody({}, { model: 'vllm/Qwen2.5-7B-Instruct' });
    const response = await call('/v1/chat/completions', {
      json: body,
      env: { CUSTOM_PROVIDERS: VLLM, VLLM_API_KEY: 'vllm-secret-0123456789' },
    });
    expect(response.status).toBe(200);
    const completion = await response.json<ChatCompletion>();
    expect(completion.choices[0]?.message.content).toContain('Say hello');
    const calls = await mockCalls(id);
    expect(calls.count).toBe(1);
    expect(calls.requests[0]?.headers['authorization']).toBe('Bearer vllm-secret-0123456789');
    expect(calls.requests[0]?.body['model']).toBe('Qwen2.5-7B-Instruct');
  });

  it('streams from a custom provider without asking stream_options when include_usage is false', async () => {
    const { id, body } = chatBody({}, { model: 'vllm/Qwen2.5-7B-Instruct', stream: true });
    const response = await call('/v1/chat/completions', {
      json: body,
      env: { CUSTOM_PROVIDERS: VLLM, VLLM_API_KEY: 'vllm-secret-0123456789' },
    });
    expect(response.status).toBe(200);
    expect(sseEvents(await response.text()).at(-1)?.data).toBe('[DONE]');
    expect((await mockCalls(id)).requests[0]?.body['stream_options']).toBeUndefined();
  });

  it('refuses a custom provider whose key secret is not set, naming the secret', async () => {
    const response = await call('/v1/chat/completions', { json: chatBody({}, { model: 'vllm/m' }).body, env: { CUSTOM_PROVIDERS: VLLM } });
    expect(response.status).toBe(500);
    const body = await response.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('provider_not_configured');
    expect(body.error.message).toContain('VLLM_API_KEY');
  });

  it('calls a keyless custom provider without a key', async () => {
    const t = resolveModel(
      'lmstudio/qwen',
      parseConfig({ ...env, CUSTOM_PROVIDERS: JSON.stringify({ lmstudio: { base_url: `${mockUrl}/v1` } }) }),
    );
    expect(t.provider.apiKey).toBeUndefined();
    expect(t.provider.spec).toMatchObject({ structuredOutput: 'json_schema', streamUsage: 'include_usage', wire: 'openai' });
  });

  it.each([
    ['{not json', 'is not valid JSON'],
    ['[]', 'must be a JSON object'],
    ['{"openai":{"base_url":"http://x/v1"}}', 'entry "openai": that name is a built-in provider'],
    ['{"vllm":{"base_url":"ftp://x"}}', 'entry "vllm": "base_url" must be an http(s) URL'],
    ['{"vllm":{"base_url":"http://x/v1","key_secret":"lower"}}', 'entry "vllm": "key_secret" must name a secret'],
    ['{"vllm":{"base_url":"http://x/v1","structured_output":"xml"}}', 'entry "vllm": "structured_output" must be one of'],
    ['{"vllm":{"base_url":"http://x/v1","include_usage":"yes"}}', 'entry "vllm": "include_usage" must be true or false'],
    ['{"vllm":{"base_url":"http://x/v1","headers":{}}}', 'entry "vllm": unknown field "headers"'],
    ['{"Bad Name":{"base_url":"http://x/v1"}}', 'entry "Bad Name": a provider name uses lowercase'],
  ])('rejects CUSTOM_PROVIDERS=%s with a config_error naming the entry', (value, message) => {
    const error = configError(value);
    expect([error.status, error.code, error.param]).toEqual([500, 'config_error', 'CUSTOM_PROVIDERS']);
    expect(error.message).toContain(message);
  });
});

describe('per-target adaptation', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const asked = {
    messages: [{ role: 'user', content: 'Paris?' }],
    response_format: { type: 'json_schema', json_schema: { name: 'place', schema } },
  };

  it('asks each target for structured output its own way', () => {
    expect(
      ['openai/gpt-4o', 'anthropic/claude-sonnet-4-5', 'anthropic-compat/claude-sonnet-4-5', 'deepseek/deepseek-chat'].map((m) =>
        structuredOutputOf(target(m)),
      ),
    ).toEqual(['json_schema', 'json_schema', 'tool', 'json_object']);
    const deepseek = adaptRequest(target('deepseek/deepseek-chat'), asked, false).body;
    expect(deepseek['response_format']).toEqual({ type: 'json_object' });
    expect(deepseek.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('"city"') });
    expect(adaptRequest(target('openai/gpt-4o'), asked, false).body['response_format']).toEqual(asked.response_format);
  });

  it('asks usage on streams only of providers that honour stream_options', () => {
    const body = { messages: [], stream_options: { include_usage: false } };
    expect(adaptRequest(target('xai/grok-4'), body, true).body['stream_options']).toEqual({ include_usage: true });
    expect(adaptRequest(target('mistral/mistral-large-latest'), body, true).body['stream_options']).toBeUndefined();
    expect(adaptRequest(target('xai/grok-4'), body, false).body['stream_options']).toBeUndefined();
  });

  it('routes an unknown provider prefix to a 400 listing the configured providers, custom ones included', () => {
    const config = parseConfig({ ...env, CUSTOM_PROVIDERS: JSON.stringify({ vllm: { base_url: 'http://x/v1' } }) });
    expect(() => resolveModel('nope/m', config)).toThrow(/google, mistral, deepseek, xai, fireworks, cerebras, deepinfra.*vllm/);
  });

  it('answers a json_object provider with the JSON it was asked for', async () => {
    const { completion } = await attempt(target('deepseek/deepseek-chat'), { ...asked, mock: {} }, false);
    expect(JSON.parse(completion?.choices[0]?.message.content ?? '')).toEqual({ ok: true });
  });
});
