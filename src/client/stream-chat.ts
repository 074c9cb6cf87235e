import { type ChatInput, chatBody } from './chat-input.ts';
import { clientError } from './client-error.ts';
import { STREAM_EVENT_NAMES, type StreamEvent, type StreamEventName } from './events.ts';
import { type AnswerInfo, type ClientOptions, answerInfo, send } from './request.ts';
import { SseDecoder } from './sse-decoder.ts';

export interface StreamChatOptions extends ClientOptions, ChatInput {
  /** Called once the gateway has answered 200, before the first event: which model, attempts, cache status. */
  readonly onOpen?: (info: AnswerInfo) => void;
}

const KNOWN = new Set<string>(STREAM_EVENT_NAMES);

/**
 * Streams an answer from `POST /stream` as typed events, read with `fetch` (a POST body rules out
 * `EventSource`). The stream ends after `done` or `error`; an `error` event (a failure after the answer
 * started) is yielded like any other. Throws `GatewayClientError` when the call cannot start (the gateway's
 * JSON error, with status, code and retry-after), when the gateway is unreachable, or when the stream ends
 * without `done` or `error` (`stream_incomplete`). Aborting `signal` closes the connection, which aborts the
 * upstream call, and rethrows the signal's reason. Breaking out of the loop closes it too.
 *
 * @example
 * for await (const event of streamChat({ key, prompt: 'Hello', signal })) {
 *   if (event.type === 'delta') out.textContent += event.content ?? '';
 * }
 */
export async function* streamChat(options: StreamChatOptions): AsyncGenerator<StreamEvent, void, undefined> {
  // Our own controller, so leaving the loop early also closes the connection.
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  // Set once the body was read to its end: then nothing is left to cancel, and the browser logs no aborted fetch.
  let drained = false;
  try {
    const response = await send({ ...options, signal: controller.signal }, 'POST', '/stream', chatBody(options), 'text/event-stream');
    const info = answerInfo(response.headers);
    options.onOpen?.(info);
    if (!response.body) throw clientError('malformed_response', 'POST /stream: the gateway answered without a body.');
    const reader = response.body.getReader();
    // An abort ends a pending read at once, whatever `fetch` delivered the body (a real connection or not).
    controller.signal.addEventListener('abort', () => reader.cancel(controller.signal.reason).catch(() => {}), { once: true });
    const decoder = new SseDecoder();
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw clientError(
          'stream_incomplete',
          `The stream from POST /stream broke off before it ended (${error instanceof Error ? error.message : String(error)}).`,
          error,
        );
      }
      if (controller.signal.aborted) throw controller.signal.reason;
      for (const message of read.done ? decoder.end() : decoder.push(read.value)) {
        if (!KNOWN.has(message.event)) continue;
        // One read may bring several events: none is delivered after an abort.
        if (controller.signal.aborted) throw controller.signal.reason;
        const event = parseEvent(message.event as StreamEventName, message.data);
        if (event.type === 'done' || event.type === 'error') {
          // The gateway closes the stream right after its last event: read that end before handing the event on.
          if (!read.done) while (!(await reader.read().catch(() => ({ done: true }))).done);
          drained = true;
          yield event;
          return;
        }
        yield event;
      }
      if (read.done)
        throw clientError('stream_incomplete', 'The stream from POST /stream ended without a done or error event: the connection was cut.');
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    if (!drained) controller.abort();
  }
}

function parseEvent(type: StreamEventName, data: string): StreamEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch (error) {
    throw clientError('malformed_response', `A "${type}" event from POST /stream is not JSON: ${data.slice(0, 100)}`, error);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw clientError('malformed_response', `A "${type}" event from POST /stream is not a JSON object.`);
  // The gateway's documented payload for this event name (events.ts); its fields are not checked one by one.
  return { ...(payload as object), type } as StreamEvent;
}
