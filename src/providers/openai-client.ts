import OpenAI, { AzureOpenAI } from 'openai';
import { clientCache } from './client-cache.ts';

/**
 * The openai SDK's client for an OpenAI-wire provider (Azure's deployment URLs included), one per provider and
 * fetch per isolate. The gateway owns the retry loop, so the SDK never retries on its own.
 */
export const openAiClientFor = clientCache((provider, fetchImpl): OpenAI => {
  const common = { apiKey: provider.apiKey ?? 'none', maxRetries: 0, fetch: fetchImpl };
  return provider.spec.wire === 'azure'
    ? new AzureOpenAI({ ...common, endpoint: provider.baseURL, apiVersion: provider.azureApiVersion })
    : new OpenAI({ ...common, baseURL: provider.baseURL });
});
