import OpenAI from 'openai';
import type { createApp } from '../../../src/app.ts';
import { gatewayFetch } from './anthropic-client.ts';
import { KEY } from './gateway.ts';

/** The official openai SDK pointed at the gateway app, with no retries of its own (a test counts upstream calls). */
export function openaiClient(options: { apiKey?: string; env?: Record<string, string>; app?: ReturnType<typeof createApp> } = {}): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? KEY,
    baseURL: 'http://gateway.test/v1',
    fetch: gatewayFetch({ ...(options.env ? { env: options.env } : {}), ...(options.app ? { app: options.app } : {}) }),
    maxRetries: 0,
  });
}
