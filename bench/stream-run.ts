// Streamed responses, read with Node's fetch (undici): time to the first body byte and to the last, and
// how many SSE frames arrived. Also holds many slow streams open at once for the memory figure.
import type { Target } from './requests.ts';

/** One stream, timed from sending the request. */
export interface StreamTiming {
  readonly ttfbMs: number;
  readonly ttlbMs: number;
  /** SSE frames received (blank-line separated). */
  readonly frames: number;
}

const DONE = 'data: [DONE]';

/** Sends one streaming request, reads the whole body, and checks it ended with `data: [DONE]`. */
export async function timeStream(target: Target, body: object): Promise<StreamTiming> {
  const started = performance.now();
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(body) });
  if (response.status !== 200 || !response.body)
    throw new Error(`${target.name}: stream answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const reader = response.body.getReader();
  let first = 0;
  let frames = 0;
  let previous = 0;
  // The last bytes of the body, across reads: `data: [DONE]` may be split between two.
  let tail = new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (first === 0) first = performance.now();
    // Count "\n\n" (frame ends), including one split across two reads.
    for (const byte of value) {
      if (byte === 10 && previous === 10) frames++;
      previous = byte;
    }
    const piece = value.subarray(-64);
    const joined = new Uint8Array(tail.byteLength + piece.byteLength);
    joined.set(tail);
    joined.set(piece, tail.byteLength);
    tail = joined.subarray(-64);
  }
  const ended = performance.now();
  const tailText = new TextDecoder().decode(tail);
  if (!tailText.includes(DONE)) throw new Error(`${target.name}: the stream did not end with ${DONE} (…${JSON.stringify(tailText)}).`);
  return { ttfbMs: first - started, ttlbMs: ended - started, frames };
}

/** Runs `count` streams, `concurrency` at a time. */
export async function streamRun(target: Target, body: object, count: number, concurrency = 1): Promise<StreamTiming[]> {
  const out: StreamTiming[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      out.push(await timeStream(target, body));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** Runs streams `concurrency` at a time until `seconds` have passed (streams under way then are finished and counted). */
export async function streamsFor(
  target: Target,
  body: object,
  seconds: number,
  concurrency: number,
): Promise<{ streams: number; elapsedMs: number }> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let streams = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await timeStream(target, body);
      streams++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { streams, elapsedMs: performance.now() - started };
}

/** Streams held open: every one has received its first frame. */
export interface HeldStreams {
  readonly open: number;
  /** Aborts every stream and waits until the readers have settled. */
  close(): Promise<void>;
}

/** Opens `count` slow streams at once and resolves when each has delivered its first bytes. */
export async function holdStreams(target: Target, body: object, count: number, timeoutMs = 30_000): Promise<HeldStreams> {
  const controller = new AbortController();
  const readers: Promise<void>[] = [];
  const firstBytes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    let gotFirst!: () => void;
    let failed!: (error: unknown) => void;
    firstBytes.push(
      new Promise<void>((resolve, reject) => {
        gotFirst = resolve;
        failed = reject;
      }),
    );
    readers.push(
      (async () => {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: target.headers,
          body: JSON.stringify(body),
          signal: controller.signal,
        });
        if (response.status !== 200 || !response.body) throw new Error(`${target.name}: held stream answered ${response.status}`);
        const reader = response.body.getReader();
        for (let first = true; ; first = false) {
          const { done } = await reader.read();
          if (first) gotFirst();
          if (done) return;
        }
      })().catch((error: unknown) => {
        if (controller.signal.aborted) return;
        failed(error);
      }),
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Only some of ${count} streams opened within ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(firstBytes), timeout]);
  } catch (error) {
    controller.abort();
    await Promise.allSettled(readers);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    open: count,
    close: async () => {
      controller.abort();
      await Promise.allSettled(readers);
    },
  };
}
