import type { ChatCompletion, ChatCompletionChunk, JsonObject } from './types.ts';

/**
 * One event of a provider's own stream, kept for a client that speaks the provider's dialect (Anthropic's
 * Messages API to an Anthropic model): its SSE name, its data exactly as sent, and that data parsed.
 */
export interface NativeEvent {
  readonly event: string;
  readonly data: string;
  readonly json: JsonObject;
}

/**
 * One event of an answer, in the order the client should see them. Chunks come in batches (all one
 * upstream read brought) so per-chunk overhead stays small; a whole answer (non-stream upstream, cache
 * hit) is one `completion` event, which stream encoders replay as chunks. A call that asked for the
 * provider's own answer (`native`) gets it alongside: only the encoder of that provider's dialect reads it.
 */
export type GatewayEvent =
  | {
      readonly type: 'chunks';
      readonly chunks: readonly ChatCompletionChunk[];
      /** The provider's own events these chunks were translated from, in order; only when the call asked (`native`). */
      readonly native?: readonly NativeEvent[];
      /**
       * The upstream's own bytes that carried exactly these chunks, whole `data:` frames of the OpenAI wire, when
       * nothing in them was changed (a relayed provider, RELAY_PROVIDERS). Whoever changes a chunk makes a new
       * event without them; an OpenAI-wire encoder may send them instead of re-encoding the chunks.
       */
      readonly raw?: Uint8Array;
    }
  | {
      readonly type: 'completion';
      readonly completion: ChatCompletion;
      /** The provider's own answer this completion was translated from; only when the call asked (`native`). */
      readonly native?: JsonObject;
    }
  | { readonly type: 'keep_alive' }
  | { readonly type: 'tool_call'; readonly id: string; readonly name: string; readonly arguments: string }
  | {
      readonly type: 'tool_result';
      readonly id: string;
      readonly name: string;
      readonly result?: string;
      readonly error?: string;
      readonly ms: number;
    };
