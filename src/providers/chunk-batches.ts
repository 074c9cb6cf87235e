import { ITERATION_DONE } from '../core/iteration.ts';
import type { ChatCompletionChunk } from '../core/types.ts';
import { GatewayError } from '../errors.ts';
import { readSse, type SseEvent } from '../stream/sse-decoder.ts';
import type { Target } from './target.ts';
import type { ChunkBatch } from './wire.ts';
import type { NativeEvent } from '../core/events.ts';

/** How one wire's SSE events become chat completion chunks. */
export interface ChunkTranslation {
  /** The chunks one event carries ([] for none); null when the event ends the stream (`[DONE]`). Throws on an error event. */
  chunksOf(event: SseEvent): ChatCompletionChunk[] | null;
  /** Whether the answer has finished, so the body may end without it being a cut. */
  finished(): boolean;
  /** Any failure (a read, a parse, an error event) as the error to report. */
  toError(error: unknown): GatewayError;
  /** The provider's own events translated since the last call, to go with the batch (wires asked for them only). */
  takeNative?(): NativeEvent[];
}

/** The stream ended before its answer finished. */
export const streamCut = (target: Target) =>
  new GatewayError(502, `The upstream ${target.id} closed the stream before the answer finished.`, {
    type: 'upstream_error',
    code: 'upstream_stream_cut',
  });

/**
 * The chunks of an upstream stream, one batch per network read. A plain iterator over `readSse`, not a
 * generator: one promise per read. What arrived before a failure (or the end) in the same read still goes out
 * first; the failure comes at the next read. A body that ends before the answer finished was cut (some
 * providers never send `[DONE]`, which is fine once the answer finished). A reader that stops early cancels the body.
 */
export function chunkBatches(
  body: ReadableStream<Uint8Array>,
  target: Target,
  translation: ChunkTranslation,
): AsyncIterableIterator<ChunkBatch> {
  const sse = readSse(body);
  let ended = false;
  let failure: unknown;
  const fail = (error: unknown): never => {
    ended = true;
    void sse.return?.();
    throw translation.toError(error);
  };
  const read = (): Promise<IteratorResult<ChunkBatch>> =>
    sse.next().then((step): IteratorResult<ChunkBatch> | Promise<IteratorResult<ChunkBatch>> => {
      if (ended) return ITERATION_DONE;
      if (step.done) {
        if (!translation.finished()) fail(streamCut(target));
        ended = true;
        return ITERATION_DONE;
      }
      const batch: ChunkBatch = [];
      for (const event of step.value) {
        try {
          const chunks = translation.chunksOf(event);
          if (chunks === null) {
            ended = true;
            void sse.return?.();
            break;
          }
          for (const chunk of chunks) batch.push(chunk);
        } catch (error) {
          failure = error;
          break;
        }
      }
      // A read that brought only events without chunks (a ping, a block start) still goes out when they are wanted.
      const native = translation.takeNative?.();
      if (native && native.length > 0) batch.native = native;
      if (batch.length > 0 || batch.native) return { done: false, value: batch };
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        fail(error);
      }
      return ended ? ITERATION_DONE : read();
    }, fail);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        return Promise.resolve().then(() => fail(error));
      }
      return ended ? Promise.resolve(ITERATION_DONE) : read();
    },
    return() {
      ended = true;
      failure = undefined;
      void sse.return?.();
      return Promise.resolve(ITERATION_DONE);
    },
  };
}
