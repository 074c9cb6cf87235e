import type { ChatCompletion, ChatCompletionChunk } from './types.ts';

/**
 * One event of an answer, in the order the client should see them. Chunks come in batches (all one
 * upstream read brought) so per-chunk overhead stays small; a whole answer (non-stream upstream, cache
 * hit) is one `completion` event, which stream encoders replay as chunks.
 */
export type GatewayEvent =
  | {
      readonly type: 'chunks';
      readonly chunks: readonly ChatCompletionChunk[];
      /**
       * The upstream's own bytes that carried exactly these chunks, whole `data:` frames of the OpenAI wire, when
       * nothing in them was changed (a relayed provider, RELAY_PROVIDERS). Whoever changes a chunk makes a new
       * event without them; an OpenAI-wire encoder may send them instead of re-encoding the chunks.
       */
      readonly raw?: Uint8Array;
    }
  | { readonly type: 'completion'; readonly completion: ChatCompletion }
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
