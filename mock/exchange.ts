// One request/response pair plus the facts fault directives need: whether the
// client has gone, and whether the mock itself killed the connection (which
// must not count as a client cancellation).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Directive } from './types.ts';

export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly started = performance.now();
  /** The connection closed (either side) before or after the answer. */
  closed = false;
  destroyedByMock = false;
  /** For the request log. */
  model: string | undefined;
  directive: Directive | undefined;
  #abort: AbortController | undefined;

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.req = req;
    this.res = res;
    res.once('close', () => {
      this.closed = true;
      this.#abort?.abort();
    });
  }

  /** Whether the client went away before the mock finished answering. */
  get closedByClient(): boolean {
    return this.closed && !this.res.writableFinished && !this.destroyedByMock;
  }

  /** Waits `ms`; resolves false (early) if the connection closes meanwhile. */
  async sleep(ms: number): Promise<boolean> {
    if (this.closed) return false;
    if (ms <= 0) return true;
    this.#abort ??= new AbortController();
    try {
      await sleepFor(ms, undefined, { signal: this.#abort.signal });
      return !this.closed;
    } catch {
      return false;
    }
  }

  /** Resolves once the connection closes; the mock never answers. */
  untilClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.res.once('close', () => resolve()));
  }

  /** Kills the TCP connection after whatever was written has left the process. */
  async destroySocket(): Promise<void> {
    this.destroyedByMock = true;
    const socket = this.req.socket;
    // Node corks a response's writes until the next tick; let them out first.
    await new Promise((resolve) => setImmediate(resolve));
    if (socket.writableLength > 0 && !socket.destroyed) {
      await new Promise((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
    socket.destroy();
  }
}
