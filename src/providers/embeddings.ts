import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
import { openAiClientFor } from './openai-client.ts';
import type { Target } from './target.ts';
import { openAiFailure } from './openai/sdk-failure.ts';
import { toGatewayError } from './upstream-error.ts';

export interface EmbeddingsCall {
  readonly target: Target;
  /** OpenAI's request body, `model` the provider's own name and `encoding_format` always set. */
  readonly body: Record<string, unknown>;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

/**
 * One `POST …/embeddings` to an OpenAI-wire provider through the openai SDK, its JSON answer as sent. The body
 * always names `encoding_format`: without it the SDK would ask for base64 and decode it behind the caller's back.
 * Every failure comes out as a GatewayError (statuses, `x-should-retry` and redaction as for chat).
 */
export async function callEmbeddings(call: EmbeddingsCall): Promise<unknown> {
  const { target, signal } = call;
  try {
    const client = openAiClientFor(target.provider, call.fetch);
    return await client.embeddings.create(call.body as unknown as EmbeddingCreateParams, { signal, timeout: call.timeoutMs });
  } catch (error) {
    throw toGatewayError(error, target, signal, openAiFailure);
  }
}
