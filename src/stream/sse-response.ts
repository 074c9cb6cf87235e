import type { ChatCompletion, ChatCompletionChunk } from '../core/types.ts';
import type { GatewayError } from '../errors.ts';
import { ChunkAccumulator } from './accumulate.ts';

/** Turns normalised chunks into the frames of one SSE dialect. */
export interface SseEncoder {
  /** Frames for one chunk; '' sends nothing. */
  chunk(chunk: ChatCompletionChunk): string;
  /** Frames closing a stream that ended well. */
  end(completion: ChatCompletion): string;
  /** The frame ending a stream that failed after it started. */
  error(error: GatewayError): string;
}

/** How a stream ended, with everything it carried folded into one completion. */
export interface StreamOutcome {
  readonly status: 'complete' | 'error' | 'aborted';
  readonly completion: ChatCompletion;
  readonly error?: GatewayError;
}

/** A source may yield this while it waits, to keep the connection alive: it becomes an SSE comment. */
export const KEEP_ALIVE = Symbol('keep-alive');
const PING = new TextEncoder().encode(': ping\n\n');

export interface SseStreamOptions {
  readonly encoder: SseEncoder;
  /** Called when the first chunk of the answer goes out. */
  readonly firstChunk?: () => void;
  /** Turns whatever the source threw into the error to report. */
  readonly toError: (error: unknown) => GatewayError;
  /** Called when the client goes away: must abort the upstream request. */
  readonly abort: () => void;
  /** Called once, when the stream has ended one way or another. */
  readonly finish: (outcome: StreamOutcome) => void;
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' };

/**
 * The response body of a stream: pulls one batch of chunks at a time (no buffering), folds each into the
 * accumulator as it passes, ends with the encoder's end frames, or with its error frame when the
 * source fails (never a clean-looking end). Cancelling the body aborts the upstream.
 */
export function sseBody(source: AsyncIterable<ChatCompletionChunk[] | typeof KEEP_ALIVE>, options: SseStreamOptions): ReadableStream<Uint8Array> {
  const { encoder } = options;
  const iterator = source[Symbol.asyncIterator]();
  const accumulator = new ChunkAccumulator();
  const bytes = new TextEncoder();
  let ended = false;
  let started = false;
  const finish = (status: StreamOutcome['status'], error?: GatewayError) => {
    if (ended) return;
    ended = true;
    options.finish({ status, completion: accumulator.result(), ...(error ? { error } : {}) });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const next = await iterator.next();
            if (ended) return;
            if (next.done) {
              controller.enqueue(bytes.encode(encoder.end(accumulator.result())));
              controller.close();
              return finish('complete');
            }
            if (next.value === KEEP_ALIVE) return controller.enqueue(PING);
            // One write per batch (what one upstream read brought), not one per chunk.
            let frames = '';
            for (const chunk of next.value) {
              accumulator.add(chunk);
              frames += encoder.chunk(chunk);
            }
            if (frames === '') continue;
            if (!started) {
              started = true;
              options.firstChunk?.();
            }
            return controller.enqueue(bytes.encode(frames));
          }
        } catch (thrown) {
          if (ended) return;
          const error = options.toError(thrown);
          controller.enqueue(bytes.encode(encoder.error(error)));
          controller.close();
          finish('error', error);
        }
      },
      cancel() {
        finish('aborted');
        options.abort();
        void iterator.return?.().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
