// The contract every provider wire meets: one upstream attempt in, one normalised answer out. No SDK in here.
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { AdaptedRequest } from './adapt-request.ts';
import type { Target } from './target.ts';

/**
 * The chunks one network read brought, normalised; `raw` holds that read's bytes when they are exactly these chunks,
 * unchanged (a relayed provider's read of whole frames that needed no normalising).
 */
export type ChunkBatch = ChatCompletionChunk[] & { raw?: Uint8Array };

/** Normalised chunks in batches, one per network read, so per-chunk overhead stays small. */
export type ChunkBatches = AsyncIterable<ChunkBatch>;

/** What an upstream answered: one completion, or a stream of normalised chunks. */
export type UpstreamAnswer =
  | { readonly kind: 'completion'; readonly completion: ChatCompletion; readonly headers: Headers }
  | { readonly kind: 'stream'; readonly chunks: ChunkBatches; readonly headers: Headers };

export interface UpstreamCall {
  readonly target: Target;
  /** The request body; every field is forwarded, `model` is replaced by the target's. */
  readonly body: ChatBody;
  readonly stream: boolean;
  readonly signal: AbortSignal;
  /** The SDK's own timeout for this attempt; the gateway's deadline also aborts through `signal`. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

/** One attempt on one wire: the call and its request adapted to the target; every failure is a GatewayError. */
export type WireCall = (call: UpstreamCall, adapted: AdaptedRequest) => Promise<UpstreamAnswer>;
