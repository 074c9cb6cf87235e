import Anthropic from '@anthropic-ai/sdk';
import type { createApp } from '../../../src/app.ts';
import { call, KEY } from './gateway.ts';

export interface ClientOptions {
  /** Sent as `x-api-key` (the SDK's default); null sends none. */
  apiKey?: string | null;
  /** Sent as `Authorization: Bearer` (what Claude Code sends with ANTHROPIC_AUTH_TOKEN). */
  authToken?: string;
  /** Vars and secrets on top of the test env. */
  env?: Record<string, string>;
  app?: ReturnType<typeof createApp>;
}

/** A fetch that hands each request the SDK makes to a gateway app through `call()` (so the secret scan sees every answer). */
export function gatewayFetch(options: Pick<ClientOptions, 'env' | 'app'> = {}): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === 'GET' ? undefined : await request.text();
    return call(`${url.pathname}${url.search}`, {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      ...(body === undefined ? {} : { body }),
      key: null,
      ...(options.env ? { env: options.env } : {}),
      ...(options.app ? { app: options.app } : {}),
    });
  };
}

/** The official Anthropic SDK pointed at the gateway app, with no retries of its own (a test counts upstream calls). */
export function anthropicClient(options: ClientOptions = {}): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey === undefined ? KEY : options.apiKey,
    authToken: options.authToken ?? null,
    baseURL: 'http://gateway.test',
    fetch: gatewayFetch(options),
    maxRetries: 0,
  });
}
