import { type ChatInput, chatBody } from './chat-input.ts';
import { clientError, GatewayClientError } from './client-error.ts';
import { STREAM_EVENT_NAMES, type StreamEvent, type StreamEventName } from './events.ts';
import { type AnswerInfo, type ClientOptions, answerInfo, send } from './request.ts';
import { SseDecoder } from './sse-decoder.ts';

export interface StreamChatOptions extends ClientOptions, ChatInput {
  /** Called once the gateway has answered 200, before the first event: which model, attempts, cache status, stream id. */
  readonly onOpen?: (info: AnswerInfo) => void;
  /**
   * Asks for a resumable stream (`x-gateway-resumable: true`): a dropped connection is then resumed by itself
   * (`GET /stream/{id}` with `Last-Event-ID`), and `onOpen` gets the stream id, which `resumeStream` takes after a reload.
   */
  readonly resumable?: boolean;
}

export interface ResumeStreamOptions extends ClientOptions {
  /** The `streamId` that `onOpen` reported when the stream started. */
  readonly streamId: string;
  /** The last event id already seen; omitted, the stream is replayed from its first event. */
  readonly lastEventId?: string;
  readonly onOpen?: (info: AnswerInfo) => void;
}

const KNOWN = new Set<string>(STREAM_EVENT_NAMES);
/** Reconnections in a row, without an event between them, before a dropped stream is given up. */
const MAX_RECONNECTS = 3;
/** The wait before reconnection n (1-based) is n - 1 times this: at once first, then longer, as a network may need a moment. */
const RECONNECT_STEP_MS = 250;

/**
 * Streams an answer from `POST /stream` as typed events, read with `fetch` (a POST body rules out
 * `EventSource`). The stream ends after `done` or `error`; an `error` event (a failure after the answer
 * started) is yielded like any other. Throws `GatewayClientError` when the call cannot start (the gateway's
 * JSON error, with status, code and retry-after), when the gateway is unreachable, or when the stream ends
 * without `done` or `error` (`stream_incomplete`). With `resumable: true` a stream that breaks off is resumed
 * where it stopped, so `stream_incomplete` comes only when that fails too. Aborting `signal` closes the
 * connection, which aborts the upstream call (a resumable one is cancelled with `DELETE /stream/{id}`), and
 * rethrows the signal's reason. Breaking out of the loop closes it too.
 *
 * @example
 * for await (const event of streamChat({ key, prompt: 'Hello', signal })) {
 *   if (event.type === 'delta') out.textContent += event.content ?? '';
 * }
 */
export function streamChat(options: StreamChatOptions): AsyncGenerator<StreamEvent, void, undefined> {
  const headers = options.resumable ? { ...options.headers, 'x-gateway-resumable': 'true' } : options.headers;
  return follow(options, undefined, '', (signal) =>
    send({ ...options, ...(headers ? { headers } : {}), signal }, 'POST', '/stream', chatBody(options), 'text/event-stream'),
  );
}

/**
 * Attaches again to a resumable stream (`GET /stream/{id}`), after a page reload for instance: the events after
 * `lastEventId` (all of them without it), then the live ones, as `streamChat` yields them. A stream that has
 * ended and been forgotten, or that belongs to another key, is a `GatewayClientError` 404 `stream_not_found`.
 *
 * @example
 * const streamId = sessionStorage.getItem('streamId');
 * if (streamId) for await (const event of resumeStream({ key, streamId })) show(event);
 */
export function resumeStream(options: ResumeStreamOptions): AsyncGenerator<StreamEvent, void, undefined> {
  return follow(options, options.streamId, options.lastEventId ?? '');
}

/**
 * The events of one stream, across connections: the first one opened by `open` (or an attach), then, if it
 * breaks off and the stream has an id, attaches from the last event seen.
 */
async function* follow(
  options: ClientOptions & { readonly onOpen?: (info: AnswerInfo) => void },
  knownId: string | undefined,
  lastSeen: string,
  open?: (signal: AbortSignal) => Promise<Response>,
): AsyncGenerator<StreamEvent, void, undefined> {
  // Our own controller, so leaving the loop early also closes the connection.
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  let streamId = knownId;
  let lastEventId = lastSeen;
  const attach = (signal: AbortSignal) =>
    send(
      { ...options, headers: { ...options.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal },
      'GET',
      `/stream/${encodeURIComponent(streamId ?? '')}`,
      undefined,
      'text/event-stream',
    );
  const what = open ? 'POST /stream' : `GET /stream/${streamId}`;
  // Set once the stream's last event (done or error) was read: nothing is left to close or cancel.
  let ended = false;
  try {
    let response = await (open ?? attach)(controller.signal);
    const info = answerInfo(response.headers);
    streamId ??= info.streamId;
    options.onOpen?.(info);
    for (let reconnects = 0; ; ) {
      let broke: unknown;
      try {
        for await (const event of eventsOf(response, controller.signal, what, (id) => (lastEventId = id))) {
          reconnects = 0;
          if (event.type === 'done' || event.type === 'error') ended = true;
          yield event;
          if (ended) return;
        }
      } catch (error) {
        const cut = error instanceof GatewayClientError && error.code === 'stream_incomplete';
        if (controller.signal.aborted || !cut || !streamId || reconnects >= MAX_RECONNECTS) throw error;
        broke = error;
      }
      if (reconnects > 0) await wait(reconnects * RECONNECT_STEP_MS, controller.signal);
      reconnects++;
      try {
        response = await attach(controller.signal);
      } catch (error) {
        if (controller.signal.aborted) throw error;
        // The stream is gone (ended and forgotten, or cancelled): say why the answer stopped, not why the attach failed.
        throw clientError('stream_incomplete', `${(broke as Error).message} Resuming it failed: ${(error as Error).message}`, error);
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    if (!ended) {
      controller.abort();
      // The person stopped a resumable stream: its model call would otherwise run on until the grace period ends.
      if (options.signal?.aborted && streamId) {
        const { signal: _stopped, ...unsignalled } = options;
        void send(unsignalled, 'DELETE', `/stream/${encodeURIComponent(streamId)}`).catch(() => {});
      }
    }
  }
}

/**
 * The events of one connection, up to `done` or `error` (after which the rest of the body is read, so the
 * browser logs no aborted fetch). Throws `stream_incomplete` when the connection breaks off or ends before.
 */
async function* eventsOf(
  response: Response,
  signal: AbortSignal,
  what: string,
  onId: (id: string) => void,
): AsyncGenerator<StreamEvent, void, undefined> {
  if (!response.body) throw clientError('malformed_response', `${what}: the gateway answered without a body.`);
  const reader = response.body.getReader();
  // An abort ends a pending read at once, whatever `fetch` delivered the body (a real connection or not).
  const cancel = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', cancel, { once: true });
  const decoder = new SseDecoder();
  try {
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw clientError(
          'stream_incomplete',
          `The stream from ${what} broke off before it ended (${error instanceof Error ? error.message : String(error)}).`,
          error,
        );
      }
      if (signal.aborted) throw signal.reason;
      for (const message of read.done ? decoder.end() : decoder.push(read.value)) {
        if (message.id) onId(message.id);
        if (!KNOWN.has(message.event)) continue;
        // One read may bring several events: none is delivered after an abort.
        if (signal.aborted) throw signal.reason;
        const event = parseEvent(message.event as StreamEventName, message.data, what);
        if (event.type === 'done' || event.type === 'error') {
          // The gateway closes the stream right after its last event: read that end before handing the event on.
          if (!read.done) while (!(await reader.read().catch(() => ({ done: true }))).done);
          yield event;
          return;
        }
        yield event;
      }
      if (read.done)
        throw clientError('stream_incomplete', `The stream from ${what} ended without a done or error event: the connection was cut.`);
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    // Left early (a break, a throw): close this connection.
    void reader.cancel().catch(() => {});
  }
}

/** Waits `ms`, or until the signal aborts (then throws its reason). */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', stop, { once: true });
  });
}

function parseEvent(type: StreamEventName, data: string, what: string): StreamEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch (error) {
    throw clientError('malformed_response', `A "${type}" event from ${what} is not JSON: ${data.slice(0, 100)}`, error);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw clientError('malformed_response', `A "${type}" event from ${what} is not a JSON object.`);
  // The gateway's documented payload for this event name (events.ts); its fields are not checked one by one.
  return { ...(payload as object), type } as StreamEvent;
}
