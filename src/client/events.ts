// The gateway's `/stream` events, as they travel: one module both sides can import. The server's encoder
// (src/stream/gateway-sse.ts) can type its frames with `StreamEventData<K>` so the two never drift apart.

/** An error in OpenAI's shape: what every non-2xx body and every `error` event carries. */
export interface ErrorBody {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

/** The `data` of each named `/stream` event, by event name. */
export interface StreamEventPayloads {
  /** A piece of the answer: text, or the model's refusal. */
  delta: { readonly content?: string; readonly refusal?: string };
  /**
   * A tool call. Client tools stream their arguments in fragments joined by `index`; server tools (the
   * gateway's tool loop) send the whole call at once, with its `id`, before running it.
   */
  tool_call: { readonly index?: number; readonly id?: string; readonly name?: string; readonly arguments: string; readonly server?: true };
  /** A server tool finished: its result or its error, and how long it ran. */
  tool_result: { readonly id: string; readonly name: string; readonly result?: string; readonly error?: string; readonly ms: number };
  /** Tokens of the whole answer, with its cost in USD when the gateway knows the model's prices. */
  usage: {
    readonly prompt_tokens: number;
    readonly completion_tokens: number;
    readonly total_tokens: number;
    readonly cost_usd?: number;
    /** True when the gateway counted the tokens (or priced them) itself instead of reading the upstream's figures. */
    readonly estimated?: boolean;
    readonly prompt_tokens_details?: { readonly cached_tokens?: number };
    readonly completion_tokens_details?: { readonly reasoning_tokens?: number };
  };
  /** The answer ended well; `model` is the `provider/model` that gave it. */
  done: { readonly finish_reason: string; readonly model: string };
  /** The answer failed after it started; the stream ends here, never with `done`. */
  error: { readonly error: ErrorBody };
}

export type StreamEventName = keyof StreamEventPayloads;

/** The `data` of one event. */
export type StreamEventData<K extends StreamEventName> = StreamEventPayloads[K];

/** One parsed event, discriminated by `type` (the SSE event name). */
export type StreamEvent = { [K in StreamEventName]: { readonly type: K } & StreamEventPayloads[K] }[StreamEventName];

/** The names a client understands; an event with another name is skipped, so servers can add events. */
export const STREAM_EVENT_NAMES: readonly StreamEventName[] = ['delta', 'tool_call', 'tool_result', 'usage', 'done', 'error'];
