// The contract every provider wire meets: one upstream attempt in, one normalised answer out. No SDK in here.
import type { NativeEvent } from '../core/events.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk, JsonObject } from '../core/types.ts';
import type { AdaptedRequest } from './adapt-request.ts';
import type { Target } from './target.ts';

/** Normalised chunks in batches: all the chunks one network read brought, so per-chunk overhead stays small. */
export type ChunkBatches = AsyncIterable<ChunkBatch>;

/**
 * One read's chunks, normalised. When the call asked for them (`native`), the provider's own events they came from
 * ride along; `raw` holds that read's bytes when they are exactly these chunks, unchanged (a relayed provider's read
 * of whole frames that needed no normalising).
 */
export type ChunkBatch = ChatCompletionChunk[] & { native?: NativeEvent[]; raw?: Uint8Array };

/** What an upstream answered: one completion, or a stream of normalised chunks. */
export type UpstreamAnswer =
  | { readonly kind: 'completion'; readonly completion: ChatCompletion; readonly headers: Headers; readonly native?: JsonObject }
  | { readonly kind: 'stream'; readonly chunks: ChunkBatches; readonly headers: Headers };

export interface UpstreamCall {
  readonly target: Target;
  /** The request body; every field is forwarded, `model` is replaced by the target's. */
  readonly body: ChatBody;
  readonly stream: boolean;
  readonly signal: AbortSignal;
  /** The wire's own timeout for this attempt (the SDK's; Anthropic's: until the answer's headers); the gateway's deadline also aborts through `signal`. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  /** Whether to keep the provider's own answer alongside the translation (a wire that has none ignores it). */
  readonly native?: boolean;
  /**
   * The client's own Responses API request, for a target that speaks it (OpenAI): sent as it came, `model` replaced,
   * instead of `body`, and answered natively. Other targets ignore it and get `body`.
   */
  readonly responsesRequest?: JsonObject;
}

/** One attempt on one wire: the call and its request adapted to the target; every failure is a GatewayError. */
export type WireCall = (call: UpstreamCall, adapted: AdaptedRequest) => Promise<UpstreamAnswer>;
