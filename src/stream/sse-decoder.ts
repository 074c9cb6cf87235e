import { ITERATION_DONE } from '../core/iteration.ts';

/** One Server-Sent Event: `event` is null for unnamed events; `comment` holds a `:` line's text instead. */
export interface SseEvent {
  event: string | null;
  data: string;
  comment?: string;
}

/**
 * Incremental SSE parser (the WHATWG event-stream rules): feed it text in pieces split anywhere, get
 * complete events back. Handles LF, CRLF and CR line ends, multi-line `data`, comments, and a final
 * event without its blank line (`flush`).
 */
export class SseDecoder {
  #buffer = '';
  #event: string | null = null;
  /** The event's data lines so far, joined; null before its first `data` line. */
  #data: string | null = null;
  #pendingCR = false;

  /** Feeds a piece of text; returns the events it completed. */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let input = text;
    // A CR ended the last piece: a LF starting this one belongs to the same line end.
    if (this.#pendingCR && input.charCodeAt(0) === 10) input = input.slice(1);
    this.#pendingCR = false;
    if (this.#buffer !== '') {
      input = this.#buffer + input;
      this.#buffer = '';
    }
    const n = input.length;
    // Nearly every stream ends its lines with LF alone: then the runtime's indexOf finds them, not a loop in JavaScript.
    const lfOnly = input.indexOf('\r') === -1;
    let start = 0;
    while (start < n) {
      let end: number;
      let next: number;
      if (lfOnly) {
        end = input.indexOf('\n', start);
        if (end === -1) break;
        next = end + 1;
      } else {
        end = start;
        while (end < n && input.charCodeAt(end) !== 10 && input.charCodeAt(end) !== 13) end++;
        if (end === n) break;
        next = end + 1;
        if (input.charCodeAt(end) === 13) {
          if (next === n) this.#pendingCR = true;
          else if (input.charCodeAt(next) === 10) next++;
        }
      }
      this.#line(input, start, end, out);
      start = next;
    }
    if (start < n) this.#buffer = input.slice(start);
    return out;
  }

  /** Ends the input: returns an event left without its closing blank line, if any. */
  flush(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.#buffer !== '') this.#line(this.#buffer, 0, this.#buffer.length, out);
    this.#buffer = '';
    this.#dispatch(out);
    return out;
  }

  /** The line `input[start, end)`. */
  #line(input: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      this.#dispatch(out);
      return;
    }
    if (input.charCodeAt(start) === 58 /* : */) {
      out.push({ event: null, data: '', comment: input.slice(start + 1, end).trimStart() });
      return;
    }
    let colon = input.indexOf(':', start);
    if (colon >= end) colon = -1;
    const fieldEnd = colon === -1 ? end : colon;
    let valueStart = colon === -1 ? end : colon + 1;
    if (input.charCodeAt(valueStart) === 32 && valueStart < end) valueStart++;
    const isData = fieldEnd - start === 4 && input.startsWith('data', start);
    if (isData) {
      const value = input.slice(valueStart, end);
      this.#data = this.#data === null ? value : `${this.#data}\n${value}`;
    } else if (fieldEnd - start === 5 && input.startsWith('event', start)) this.#event = input.slice(valueStart, end);
    // `id` and `retry` matter to browsers reconnecting, not to a relay.
  }

  #dispatch(out: SseEvent[]): void {
    if (this.#data !== null) out.push({ event: this.#event, data: this.#data });
    this.#event = null;
    this.#data = null;
  }
}

/**
 * Reads a byte stream as SSE events: one array per network read, so a burst costs one step, not one per
 * event. A plain iterator, not a generator: one promise per read. A reader that stops early (`return`) or a
 * failed read cancels the body, so the upstream is never left open.
 */
export function readSse(body: ReadableStream<Uint8Array>): AsyncIterableIterator<SseEvent[]> {
  const decoder = new SseDecoder();
  const text = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  const finish = (drained: boolean) => {
    if (finished) return;
    finished = true;
    // Cancelling settles a read still pending (as done); the lock stays with the cancelled body.
    if (drained) reader.releaseLock();
    else void reader.cancel().catch(() => {});
  };
  const read = (): Promise<IteratorResult<SseEvent[]>> =>
    reader.read().then(
      ({ done, value }): IteratorResult<SseEvent[]> | Promise<IteratorResult<SseEvent[]>> => {
        if (finished) return ITERATION_DONE;
        if (done) {
          const rest = decoder.push(text.decode());
          for (const event of decoder.flush()) rest.push(event);
          finish(true);
          return rest.length > 0 ? { done: false, value: rest } : ITERATION_DONE;
        }
        const events = decoder.push(text.decode(value, { stream: true }));
        // A read that completed no event (half a line) is not worth a step of the reader's.
        return events.length > 0 ? { done: false, value: events } : read();
      },
      (error: unknown) => {
        finish(false);
        throw error;
      },
    );
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => (finished ? Promise.resolve(ITERATION_DONE) : read()),
    return: () => {
      finish(false);
      return Promise.resolve(ITERATION_DONE);
    },
  };
}
