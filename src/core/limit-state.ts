// What a key's limits say after a request, as numbers: the Durable Object counts, the HTTP layer writes headers.

/** One limit after a request: its ceiling, what remains (may be negative: shown as 0), and ms until it resets. */
export interface LimitState {
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
}

/** The key's rate limits after a request: requests in the sliding minute, tokens of the UTC day (null: unlimited). */
export interface RateLimits {
  readonly requests: LimitState | null;
  readonly tokens: LimitState | null;
}

/** A key without rate limits (or one refused before anything was counted). */
export const NO_RATE_LIMITS: RateLimits = { requests: null, tokens: null };

/** The limits a model call ran under: the key's rate limits, and the output limit a budget narrowed, if it did. */
export interface CallLimits extends RateLimits {
  /** Output tokens per choice: what the request asked (or was bounded by), what it was narrowed to, and why. */
  readonly clamped?: { readonly from: number; readonly to: number; readonly reason: 'budget' | 'model_limit' };
}
