import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import { isRetryable } from '../../src/gateway/retry-policy.ts';
import type { Target } from '../../src/providers/target.ts';
import { callUpstream } from '../../src/providers/upstream.ts';
import { PROVIDER_ENV, PROVIDERS_URL, scenario, target } from './support/providers.ts';

// The Anthropic wire is the gateway's own `fetch` (no SDK): what the SDK used to guarantee, this code now must.
// The request as the mock receives it, an error body that is not JSON, the attempt's timeout (only until the
// headers), the caller's abort before the headers and in the middle of a stream, and an unreachable host.

const KEY = PROVIDER_ENV['ANTHROPIC_API_KEY'];
const hi = { messages: [{ role: 'user', content: 'hi' }] };

interface Options {
  stream?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** One upstream attempt on the Anthropic wire, as the pipeline makes it. */
function call(t: Target, options: Options = {}) {
  return callUpstream({
    target: t,
    body: hi,
    stream: options.stream ?? false,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? 10_000,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  });
}

/** The error an attempt failed with (a GatewayError, as every failure of a wire must be). */
async function failed(attempt: Promise<unknown>): Promise<GatewayError> {
  const error = await attempt.then(
    () => new Error('expected the attempt to fail'),
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof GatewayError)) throw error;
  return error;
}

/** A fetch that never answers, only rejects (with the signal's reason) when its signal aborts; it counts its calls. */
function silentFetch(): typeof fetch & { calls: number } {
  const silent = (_input: RequestInfo | URL, init?: RequestInit) => {
    silent.calls++;
    return new Promise<Response>((_, reject) => {
      const signal = init?.signal;
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  };
  silent.calls = 0;
  return silent as typeof fetch & { calls: number };
}

/** A fetch that answers with one scripted response. */
const answering = (response: () => Response) => (() => Promise.resolve(response())) as typeof fetch;

interface Received {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

async function received(id: string): Promise<Received[]> {
  return (await (await fetch(`${PROVIDERS_URL}/__mock/calls/${id}`)).json<{ requests: Received[] }>()).requests;
}

describe('the request on the wire', () => {
  it('POSTs {ANTHROPIC_BASE_URL}/v1/messages (the mock drops its /providers scope) with x-api-key, anthropic-version 2023-06-01 and a JSON body', async () => {
    const { name, id } = await scenario({ content: 'Hello.' });
    const answer = await call(target(`anthropic/${name}`));
    expect(answer.kind).toBe('completion');
    const [request] = await received(id);
    expect(request?.url).toBe('/v1/messages');
    expect(request?.headers).toMatchObject({
      'x-api-key': KEY,
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    // The key goes in one header only; no SDK telemetry rides along.
    expect(request?.headers['authorization']).toBeUndefined();
    expect(Object.keys(request?.headers ?? {}).filter((h) => h.startsWith('x-stainless'))).toEqual([]);
    expect(request?.body).toEqual({ model: name, max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('asks a stream for text/event-stream, with stream: true in the body', async () => {
    const { name, id } = await scenario({ content: 'Hello.' });
    const answer = await call(target(`anthropic/${name}`), { stream: true });
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    for await (const _ of answer.chunks);
    const [request] = await received(id);
    expect([request?.url, request?.headers['accept'], request?.body['stream']]).toEqual(['/v1/messages', 'text/event-stream', true]);
  });

  it('keeps a base URL with a path (a proxy in front of Anthropic) and adds /v1/messages to it', async () => {
    const { name, id } = await scenario({ content: 'Hello.' });
    await call(target(`anthropic/${name}`, { ANTHROPIC_BASE_URL: `${PROVIDERS_URL}/relay/anthropic/` }));
    expect((await received(id))[0]?.url).toBe('/relay/anthropic/v1/messages');
  });
});

describe('error answers', () => {
  it('turns an error body that is not JSON (a proxy page) into a clean error with the status, keeping retry-after', async () => {
    const page = () =>
      new Response('<html><body>502 Bad Gateway</body></html>', {
        status: 502,
        headers: { 'content-type': 'text/html', 'retry-after': '2' },
      });
    const error = await failed(call(target('anthropic/claude-sonnet-4-5'), { fetch: answering(page) }));
    expect([error.status, error.message, error.headers['retry-after']]).toEqual([502, 'The upstream answered HTTP 502.', '2']);
    expect(isRetryable(error)).toBe(true);
  });

  it('turns a 529 with an empty body into the retryable 503 upstream_overloaded', async () => {
    const error = await failed(
      call(target('anthropic/claude-sonnet-4-5'), { fetch: answering(() => new Response(null, { status: 529 })) }),
    );
    expect([error.status, error.code, isRetryable(error)]).toEqual([503, 'upstream_overloaded', true]);
  });
});

describe('timeouts and aborts', () => {
  it('ends an attempt whose headers do not come within timeoutMs with a 504 upstream_timeout', async () => {
    const silent = silentFetch();
    const error = await failed(call(target('anthropic/claude-sonnet-4-5'), { fetch: silent, timeoutMs: 1 }));
    expect([error.status, error.code, silent.calls]).toEqual([504, 'upstream_timeout', 1]);
    expect(error.message).toBe('The upstream anthropic (claude-sonnet-4-5) did not answer in time.');
  });

  it("reports the caller's abort before the headers as the caller's reason, not as a timeout", async () => {
    const controller = new AbortController();
    const attempt = failed(call(target('anthropic/claude-sonnet-4-5'), { fetch: silentFetch(), signal: controller.signal }));
    const deadline = new GatewayError(504, 'No answer within the deadline.', { type: 'timeout_error', code: 'timeout' });
    controller.abort(deadline);
    expect(await attempt).toBe(deadline);
  });

  it('bounds only the wait for the headers: a stream body that comes after timeoutMs still arrives whole', async () => {
    let sent: AbortSignal | undefined;
    let body: ReadableStreamDefaultController<Uint8Array> | undefined;
    const headersNow: typeof fetch = (_input, init) => {
      sent = init?.signal ?? undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          body = c;
        },
      });
      return Promise.resolve(new Response(stream, { headers: { 'content-type': 'text/event-stream' } }));
    };
    const answer = await call(target('anthropic/claude-sonnet-4-5'), { stream: true, timeoutMs: 1, fetch: headersNow });
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    // A timer set now, for as long, fires after the attempt's own: had that one outlived the headers, it would have aborted by then.
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(sent?.aborted).toBe(false);
    const events = [
      { type: 'message_start', message: { id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'one two three' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ];
    body?.enqueue(new TextEncoder().encode(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('')));
    body?.close();
    let text = '';
    for await (const batch of answer.chunks) for (const c of batch) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three');
  });

  it("aborts the upstream request mid-stream when the caller's signal aborts: the pending read ends with the caller's reason", async () => {
    const { name } = await scenario({ content: 'one two three four', stream: { stall_after: 3 } });
    const controller = new AbortController();
    let sent: AbortSignal | undefined;
    const spy: typeof fetch = (input, init) => {
      sent = init?.signal ?? undefined;
      return fetch(input, init);
    };
    const answer = await call(target(`anthropic/${name}`), { stream: true, signal: controller.signal, fetch: spy });
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const chunks = answer.chunks[Symbol.asyncIterator]();
    const seen: ChatCompletionChunk[] = [];
    // message_start, the text block's start and its first word; then the mock stalls until the request is closed.
    while (!seen.some((c) => c.choices[0]?.delta.content === 'one')) {
      const step = await chunks.next();
      if (step.done) throw new Error('the stream ended before its first word');
      seen.push(...step.value);
    }
    const pending = chunks.next();
    expect(sent?.aborted).toBe(false);
    controller.abort();
    const error = await failed(pending);
    expect([error.status, error.code]).toEqual([499, 'client_closed_request']);
    expect(sent?.aborted).toBe(true);
  });

  it('turns a host that refuses the connection into a 502 upstream_connection_error', async () => {
    const error = await failed(call(target('anthropic/claude-sonnet-4-5', { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' })));
    expect([error.status, error.code]).toEqual([502, 'upstream_connection_error']);
    expect(error.message).toContain('Could not reach the upstream anthropic (claude-sonnet-4-5)');
    expect(error.message).not.toContain(KEY);
  });
});
