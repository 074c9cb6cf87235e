import { DurableObject } from 'cloudflare:workers';
import { eventId } from './event-id.ts';
import type { ResumableSettings } from '../config/resumable-settings.ts';
import { SSE_HEADERS } from '../stream/sse-response.ts';

/** Headers the gateway's route sets on its requests to a stream's object (a client never reaches the object itself). */
export const RELAY = {
  op: 'x-gateway-stream-op',
  owner: 'x-gateway-stream-owner',
  id: 'x-gateway-stream-id',
  after: 'x-gateway-stream-after',
  settings: 'x-gateway-stream-settings',
  /** On a 410: the first event still kept. */
  firstKept: 'x-gateway-stream-first-kept',
} as const;

/** The gateway itself, as the object runs it: the same app, the same pipeline, one upstream call. */
interface Gateway {
  fetch(request: Request, env: Env, exec: ExecutionContext): Promise<Response>;
}

const bytes = new TextEncoder();

/**
 * One resumable stream (one object per stream id). `start` runs the stream request through the gateway
 * inside the object, so the one upstream call outlives any client connection; every SSE event it relays
 * gets an `id:` and is kept, so `attach` replays what a client missed and continues live. With no client
 * attached the call is cancelled after a grace period (an alarm) or kept running, as the deployer says.
 * State lives in memory: the object stays alive while its call runs, and a finished stream is forgotten
 * by an alarm after RESUMABLE_KEEP_SECONDS (or when the runtime evicts the idle object, whichever comes first).
 */
export abstract class StreamRelay extends DurableObject<Env> {
  protected abstract readonly gateway: Gateway;
  #owner: string | undefined;
  #streamId = '';
  #settings: ResumableSettings | undefined;
  // The kept events: #events[i] is event number #firstSeq + i; their bytes are bounded by the deployer's setting.
  #events: Uint8Array[] = [];
  #firstSeq = 1;
  #nextSeq = 1;
  #keptBytes = 0;
  readonly #clients = new Map<number, ReadableStreamDefaultController<Uint8Array>>();
  #nextClient = 1;
  #source: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #done = false;

  override async fetch(request: Request): Promise<Response> {
    const op = request.headers.get(RELAY.op);
    const owner = request.headers.get(RELAY.owner) ?? '';
    if (op === 'start') return this.#start(request, owner);
    // Another key, or a stream that never was (or is forgotten): the same 404, which says nothing about other keys' streams.
    if (this.#owner === undefined || this.#owner !== owner) return new Response(null, { status: 404 });
    if (op === 'cancel') {
      await this.#cancel();
      return new Response(null, { status: 204 });
    }
    const after = Number(request.headers.get(RELAY.after) ?? '0');
    // An event stream's own headers: EventSource refuses a reconnection answered without text/event-stream.
    return this.#attach(Number.isInteger(after) && after > 0 ? after : 0, SSE_HEADERS);
  }

  /** Runs the client's request through the gateway here; a refusal (any non-stream answer) goes back as it is. */
  async #start(request: Request, owner: string): Promise<Response> {
    if (this.#owner !== undefined) return new Response(null, { status: 409 });
    const headers = new Headers(request.headers);
    for (const name of Object.values(RELAY)) headers.delete(name);
    // Never resumable again inside the object (a deployer default would otherwise start another object).
    headers.set('x-gateway-resumable', 'false');
    // A new request without the client's signal: the client going away must not abort the call (the grace period decides).
    const inner = new Request(request.url, { method: request.method, headers, ...(request.body ? { body: request.body } : {}) });
    const exec = { waitUntil: (work: Promise<unknown>) => this.ctx.waitUntil(work), passThroughOnException: () => {}, props: {} };
    const answer = await this.gateway.fetch(inner, this.env, exec as unknown as ExecutionContext);
    if (!answer.body || !(answer.headers.get('content-type') ?? '').startsWith('text/event-stream')) return answer;
    this.#owner = owner;
    this.#streamId = request.headers.get(RELAY.id) ?? '';
    this.#settings = JSON.parse(request.headers.get(RELAY.settings) ?? '{}') as ResumableSettings;
    this.#source = answer.body.getReader();
    this.ctx.waitUntil(this.#pump(this.#source));
    return this.#attach(0, Object.fromEntries(answer.headers));
  }

  /** Reads the gateway's SSE body to its end, one event block at a time. */
  async #pump(source: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await source.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          this.#relay(buffer.slice(0, cut + 2));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch {
      // The gateway's SSE body ends with its own error event; a read that fails after a cancel has nothing left to say.
    } finally {
      await this.#finish();
    }
  }

  /** Numbers and keeps an event and sends it to every attached client; comments (`: ping`) go live only. */
  #relay(block: string): void {
    const comment = block.startsWith(':');
    const encoded = bytes.encode(comment ? block : `id: ${eventId(this.#streamId, this.#nextSeq++)}\n${block}`);
    if (!comment) this.#keep(encoded);
    for (const [id, client] of this.#clients) {
      try {
        client.enqueue(encoded);
      } catch {
        void this.#detach(id);
      }
    }
  }

  /** Keeps an event, dropping the oldest while the kept bytes are over the bound (the newest is always kept). */
  #keep(frame: Uint8Array): void {
    this.#events.push(frame);
    this.#keptBytes += frame.byteLength;
    let drop = 0;
    const max = this.#settings?.maxKeptBytes ?? Number.POSITIVE_INFINITY;
    while (this.#keptBytes > max && drop < this.#events.length - 1) this.#keptBytes -= this.#events[drop++]?.byteLength ?? 0;
    if (drop > 0) {
      this.#events = this.#events.slice(drop);
      this.#firstSeq += drop;
    }
  }

  async #finish(): Promise<void> {
    this.#done = true;
    for (const client of this.#clients.values()) {
      try {
        client.close();
      } catch {
        // Already gone.
      }
    }
    this.#clients.clear();
    await this.ctx.storage.setAlarm(Date.now() + (this.#settings?.keepMs ?? 0));
  }

  /** A client's view: the kept events after `after`, then live ones until the stream ends; 410 when some of those are no longer kept. */
  #attach(after: number, headers: Record<string, string>): Response {
    if (after + 1 < this.#firstSeq) return new Response(null, { status: 410, headers: { [RELAY.firstKept]: String(this.#firstSeq) } });
    const id = this.#nextClient++;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const frame of this.#events.slice(Math.max(0, after + 1 - this.#firstSeq))) controller.enqueue(frame);
        if (this.#done) return controller.close();
        this.#clients.set(id, controller);
        // A client is back within the grace period: the call goes on.
        return this.ctx.storage.deleteAlarm();
      },
      cancel: () => this.#detach(id),
    });
    return new Response(body, { headers: { ...headers, [RELAY.id]: this.#streamId } });
  }

  /** A client hung up (its body was cancelled, or a write to it failed): the last one gone starts the grace period, if the deployer wants one. */
  async #detach(id: number): Promise<void> {
    const client = this.#clients.get(id);
    if (!client) return;
    this.#clients.delete(id);
    try {
      client.close();
    } catch {
      // Already cancelled.
    }
    if (this.#clients.size === 0 && !this.#done && this.#settings?.detached === 'cancel')
      await this.ctx.storage.setAlarm(Date.now() + this.#settings.graceMs);
  }

  /** Stops the model call: the gateway's stream body is cancelled, which aborts the upstream request. */
  async #cancel(): Promise<void> {
    if (!this.#done) await this.#source?.cancel();
  }

  /** Grace period over with no client (cancel the call), or a finished stream's keeping time over (forget it). */
  override async alarm(): Promise<void> {
    if (!this.#done) {
      if (this.#clients.size === 0) await this.#cancel();
      return;
    }
    this.#owner = undefined;
    this.#events = [];
    this.#keptBytes = 0;
  }
}
