import { ITERATION_DONE } from '../../core/iteration.ts';
import { isJsonObject, type ChatCompletionChunk } from '../../core/types.ts';
import type { GatewayError } from '../../errors.ts';
import { SseDecoder } from '../../stream/sse-decoder.ts';
import { streamCut } from '../chunk-batches.ts';
import type { ChunkNormalizer } from '../normalize.ts';
import type { Target } from '../target.ts';
import { upstreamJson } from '../upstream-body.ts';
import { fromUpstreamBody } from '../upstream-error.ts';
import type { ChunkBatch } from '../wire.ts';

/** Whether a chunk finishes any choice. */
export function finishes(chunk: ChatCompletionChunk): boolean {
  for (const c of chunk.choices) if (c.finish_reason !== null) return true;
  return false;
}

/** One `data:` payload as JSON; an error frame (`event: error`, or an `error` object) as the error it carries. */
export function parseChunk(data: string, event: string | null, target: Target): unknown {
  const parsed = upstreamJson(data, target, 'a stream chunk');
  if (event === 'error' || (isJsonObject(parsed) && parsed['error'] != null)) throw fromUpstreamBody(502, parsed, undefined, target);
  return parsed;
}

/**
 * The chunks of a relayed provider's OpenAI-wire stream (RELAY_PROVIDERS), one batch per network read, read in one
 * step: the read is split into its `data:` frames (LF-framed, as every OpenAI-wire provider frames them), each frame
 * parsed, and normalised only when it needs it (`ChunkNormalizer.isNormal`). A read made of whole frames that all
 * needed nothing carries its own bytes along (`raw`), which an OpenAI-wire encoder sends instead of re-encoding the
 * chunks. Anything else (a frame split across reads, a comment, a named event, CR line ends, `[DONE]`) takes the
 * general SSE decoder and the batch has no bytes. Failures, a cut and `[DONE]` behave as in `chunkBatches`.
 */
export function relayBatches(
  body: ReadableStream<Uint8Array>,
  target: Target,
  normalizer: ChunkNormalizer,
  toError: (error: unknown) => GatewayError,
): AsyncIterableIterator<ChunkBatch> {
  const reader = body.getReader();
  const text = new TextDecoder();
  /** For what is not a plain LF-framed `data:` frame; once a CR is seen, for the rest of the stream. */
  const decoder = new SseDecoder();
  let general = false;
  /** The start of a frame the last read did not finish. */
  let buffer = '';
  let finished = false;
  let ended = false;
  let failure: unknown;
  /** Whether every frame of the read so far went into the batch unchanged. */
  let clean = true;

  const close = (drained: boolean) => {
    if (drained) reader.releaseLock();
    else void reader.cancel().catch(() => {});
  };
  const fail = (error: unknown): never => {
    if (!ended) close(false);
    ended = true;
    throw toError(error);
  };

  /** Adds one `data:` payload's chunk to the batch; false once the stream is over (`[DONE]`). */
  const take = (data: string, event: string | null, batch: ChunkBatch): boolean => {
    if (data === '[DONE]') {
      ended = true;
      clean = false;
      return false;
    }
    const parsed = parseChunk(data, event, target);
    let chunk: ChatCompletionChunk;
    if (normalizer.isNormal(parsed)) chunk = parsed;
    else {
      chunk = normalizer.normalize(parsed);
      clean = false;
    }
    if (!finished) finished = finishes(chunk);
    batch.push(chunk);
    return true;
  };
  const takeEvents = (text: string, batch: ChunkBatch): void => {
    clean = false;
    for (const event of decoder.push(text)) {
      if (event.comment !== undefined) continue;
      if (!take(event.data, event.event, batch)) return;
    }
  };
  /** The frames of `input` from its start, taken until the last blank line; what follows it waits for the next read. */
  const takeFrames = (input: string, batch: ChunkBatch): void => {
    let start = 0;
    for (;;) {
      const end = input.indexOf('\n\n', start);
      if (end === -1) break;
      const frame = input.slice(start, end);
      start = end + 2;
      if (frame.startsWith('data: ') && frame.indexOf('\n', 6) === -1) {
        if (!take(frame.slice(6), null, batch)) return;
      } else if (frame !== '') {
        takeEvents(`${frame}\n\n`, batch);
        if (ended) return;
      }
    }
    buffer = input.slice(start);
    if (buffer !== '') clean = false;
  };

  const read = (): Promise<IteratorResult<ChunkBatch>> =>
    reader.read().then((step): IteratorResult<ChunkBatch> | Promise<IteratorResult<ChunkBatch>> => {
      if (ended) return ITERATION_DONE;
      const batch: ChunkBatch = [];
      try {
        if (step.done) {
          takeEvents(buffer + text.decode(), batch);
          buffer = '';
          for (const event of decoder.flush()) if (event.comment === undefined && !ended && !take(event.data, event.event, batch)) break;
          if (!ended && !finished) failure = streamCut(target);
          if (!ended) close(true);
          ended = true;
        } else {
          const piece = text.decode(step.value, { stream: true });
          clean = buffer === '';
          if (!general && piece.indexOf('\r') !== -1) general = true;
          if (general) {
            takeEvents(buffer + piece, batch);
            buffer = '';
          } else takeFrames(buffer === '' ? piece : buffer + piece, batch);
          if (ended) close(false);
          else if (clean && batch.length > 0) batch.raw = step.value;
        }
      } catch (error) {
        failure = error;
      }
      if (batch.length > 0) return { done: false, value: batch };
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
      if (!ended) close(false);
      ended = true;
      failure = undefined;
      return Promise.resolve(ITERATION_DONE);
    },
  };
}
