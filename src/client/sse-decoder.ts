/** One server-sent event, as the HTML standard's parser dispatches it. */
export interface SseMessage {
  /** The `event:` field, or `message` when the event named none. */
  readonly event: string;
  /** Every `data:` line of the event joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen so far (it persists across events, as in EventSource). */
  readonly id: string;
  /** A `retry:` field of this event, in milliseconds. */
  readonly retry?: number;
}

/**
 * Turns the bytes of a `text/event-stream` body into events, following the HTML standard's parsing rules:
 * UTF-8 split across chunks, lines ended by LF, CR or CRLF (a CRLF may be split between chunks), comment
 * lines, multi-line data, one optional space after the colon, a leading BOM. Pure: feed it bytes in
 * whatever pieces the network delivers; an event is dispatched only at its blank line.
 */
export class SseDecoder {
  readonly #text = new TextDecoder();
  #buffer = '';
  /** The previous chunk ended with CR: a LF starting the next one belongs to the same line end. */
  #afterCr = false;
  #event = '';
  #data = '';
  #id = '';
  #retry: number | undefined;

  /** Feeds the next bytes; returns the events they completed. */
  push(bytes: Uint8Array): SseMessage[] {
    return this.#lines(this.#text.decode(bytes, { stream: true }));
  }

  /** Ends the stream; an event left without its blank line is discarded, as the standard says. */
  end(): SseMessage[] {
    const events = this.#lines(this.#text.decode());
    this.#buffer = '';
    return events;
  }

  #lines(text: string): SseMessage[] {
    let input = text;
    if (this.#afterCr && input.startsWith('\n')) input = input.slice(1);
    if (input !== '') this.#afterCr = false;
    const buffer = this.#buffer + input;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === buffer.length) this.#afterCr = true;
        else if (buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.#buffer = buffer.slice(start);
    return out;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data += `${value}\n`;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.#retry = Number(value);
  }

  #dispatch(out: SseMessage[]): void {
    const retry = this.#retry;
    this.#retry = undefined;
    const event = this.#event || 'message';
    this.#event = '';
    if (this.#data === '') return;
    const data = this.#data.slice(0, -1);
    this.#data = '';
    out.push(retry === undefined ? { event, data, id: this.#id } : { event, data, id: this.#id, retry });
  }
}
