// Built by scripts/build-playground.ts from src/client/sse-decoder.ts: edit that file, not this one.
/** One server-sent event, as the HTML standard's parser dispatches it. */
                             
                                                                    
                         
                                                          
                        
                                                                                   
                      
                                                         
                          
 

/**
 * Turns the bytes of a `text/event-stream` body into events, following the HTML standard's parsing rules:
 * UTF-8 split across chunks, lines ended by LF, CR or CRLF (a CRLF may be split between chunks), comment
 * lines, multi-line data, one optional space after the colon, a leading BOM. Pure: feed it bytes in
 * whatever pieces the network delivers; an event is dispatched only at its blank line.
 */
export class SseDecoder {
           #text = new TextDecoder();
  #buffer = '';
  /** The previous chunk ended with CR: a LF starting the next one belongs to the same line end. */
  #afterCr = false;
  #event = '';
  #data = '';
  #id = '';
  #retry                    ;

  /** Feeds the next bytes; returns the events they completed. */
  push(bytes            )               {
    return this.#lines(this.#text.decode(bytes, { stream: true }));
  }

  /** Ends the stream; an event left without its blank line is discarded, as the standard says. */
  end()               {
    const events = this.#lines(this.#text.decode());
    this.#buffer = '';
    return events;
  }

  #lines(text        )               {
    let input = text;
    if (this.#afterCr && input.startsWith('\n')) input = input.slice(1);
    if (input !== '') this.#afterCr = false;
    const buffer = this.#buffer + input;
    const out               = [];
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

  #line(line        , out              )       {
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

  #dispatch(out              )       {
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
