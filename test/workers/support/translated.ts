import { type CallOptions, call, mockUrl, scenario } from './gateway.ts';
import { openaiClient } from './openai-client.ts';

// The mock upstream under a provider the Responses and Messages surfaces translate to: OpenAI's own Responses
// requests pass through to its Responses API, so tests of the translation ask another OpenAI-wire provider (xAI).

/** xAI pointed at the mock upstream's chat completions. */
export const TRANSLATED_ENV: Readonly<Record<string, string>> = { XAI_BASE_URL: `${mockUrl}/v1`, XAI_API_KEY: 'xai-test-key-0123456789' };

/** A mock scenario under `xai/<name>`. */
export const translatedScenario = (directive: Record<string, unknown>) => scenario(directive, 'xai');

/** `call` with TRANSLATED_ENV under the options' env. */
export const translatedCall = (path: string, options: CallOptions = {}) =>
  call(path, { ...options, env: { ...TRANSLATED_ENV, ...options.env } });

/** `openaiClient` with TRANSLATED_ENV under the options' env. */
export const translatedClient = (options: Parameters<typeof openaiClient>[0] = {}) =>
  openaiClient({ ...options, env: { ...TRANSLATED_ENV, ...options.env } });
