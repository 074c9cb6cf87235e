import type { GatewayEvent, NativeEvent } from '../core/events.ts';
import type { ChatCompletionChunk, CompletionUsage } from '../core/types.ts';
import type { GatewayError } from '../errors.ts';
import { replay } from './replay.ts';

/** What the end of a stream reports: filled from the call's outcome once the answer is complete. */
export interface StreamEnd {
  readonly model: string;
  readonly finishReason: string;
  readonly usage: CompletionUsage | undefined;
  readonly costUsd: number | undefined;
  readonly estimated: boolean;
}

/** Turns gateway events into the frames of one SSE dialect. */
export interface SseEncoder {
  /** Frames for one chunk; '' sends nothing. */
  chunk(chunk: ChatCompletionChunk): string;
  /** Frames for a tool step the gateway ran ('' where the dialect has none). */
  step(event: Extract<GatewayEvent, { type: 'tool_call' | 'tool_result' }>): string;
  /** Frames closing a stream that ended well. */
  end(end: StreamEnd): string;
  /** The frame ending a stream that failed after it started. */
  error(error: GatewayError): string;
  /**
   * The upstream's own bytes for a batch of chunks that came unchanged in them (`raw`), when this dialect sends
   * them as they are; undefined to encode the chunks instead. Absent: always encoded.
   */
  raw?(chunks: readonly ChatCompletionChunk[], raw: Uint8Array): Uint8Array | undefined;
  /** Frames sent while the answer is awaited; an SSE comment (`: ping`) when absent. */
  keepAlive?(): string;
  /** Frames for a provider's own events, sent instead of their chunks (a dialect that is that provider's); absent: chunks. */
  native?(events: readonly NativeEvent[]): string;
}

const PING = new TextEncoder().encode(': ping\n\n');

export interface SseStreamOptions {
  readonly encoder: SseEncoder;
  /** Called when the first frame of the answer goes out. */
  readonly firstFrame?: () => void;
  /** Turns whatever the source threw into the error to report. */
  readonly toError: (error: unknown) => GatewayError;
  /** The end frames' facts, once the source is exhausted (they come from the call's outcome). */
  readonly end: () => Promise<StreamEnd>;
  /** Called when the client goes away: must abort the upstream request. */
  readonly abort: () => void;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

function framesOf(event: GatewayEvent, encoder: SseEncoder): string {
  let frames = '';
  if (event.type === 'chunks') {
    if (event.native && encoder.native) return encoder.native(event.native);
    for (const chunk of event.chunks) frames += encoder.chunk(chunk);
  } else if (event.type === 'completion') for (const chunk of replay(event.completion)) frames += encoder.chunk(chunk);
  else if (event.type !== 'keep_alive') frames = encoder.step(event);
  return frames;
}

/**
 * The response body of a stream: pulls one event at a time (no buffering; a batch of chunks is one
 * write), ends with the encoder's end frames, or with its error frame when the source fails (never a
 * clean-looking end). Cancelling the body aborts the upstream.
 */
export function sseBody(source: AsyncIterable<GatewayEvent>, options: SseStreamOptions): ReadableStream<Uint8Array> {
  const { encoder } = options;
  const iterator = source[Symbol.asyncIterator]();
  const bytes = new TextEncoder();
  let ended = false;
  let started = false;
  const fail = (thrown: unknown, controller: ReadableStreamDefaultController<Uint8Array>): void => {
    if (ended) return;
    ended = true;
    controller.enqueue(bytes.encode(encoder.error(options.toError(thrown))));
    controller.close();
  };
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> =>
    options.end().then((end) => {
      if (ended) return;
      ended = true;
      controller.enqueue(bytes.encode(encoder.end(end)));
      controller.close();
    });
  // One event per pull, as a plain promise chain (no async function per chunk); an event with no frames reads the next.
  const pump = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> =>
    iterator.next().then((next): Promise<void> | undefined => {
      if (ended) return undefined;
      if (next.done) return finish(controller);
      if (next.value.type === 'keep_alive') {
        controller.enqueue(encoder.keepAlive ? bytes.encode(encoder.keepAlive()) : PING);
        return undefined;
      }
      const event = next.value;
      const raw = event.type === 'chunks' && event.raw ? encoder.raw?.(event.chunks, event.raw) : undefined;
      const frames = raw ?? framesOf(event, encoder);
      if (frames === '') return pump(controller);
      if (!started) {
        started = true;
        options.firstFrame?.();
      }
      controller.enqueue(raw ?? bytes.encode(frames as string));
      return undefined;
    });
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        try {
          return pump(controller).catch((thrown: unknown) => fail(thrown, controller));
        } catch (thrown) {
          // A source whose next() threw instead of rejecting.
          return fail(thrown, controller);
        }
      },
      cancel() {
        ended = true;
        options.abort();
        void iterator.return?.().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
