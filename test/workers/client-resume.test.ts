// The browser client's resumable streams: a connection that drops mid-answer is resumed by the client itself
// (GET /stream/{id} with Last-Event-ID), and `resumeStream` attaches again after a page reload.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { resumeStream, type StreamEvent, streamChat } from '../../src/client/index.ts';
import { eventually, KEY, mockCalls, scenario } from './support/gateway.ts';
import { prng } from '../support/prng.ts';

/** The client talks to the gateway app itself, in workerd, as a browser would over the network. */
const gatewayFetch: typeof fetch = (input, init) => createApp().fetch(new Request(input, init), env, createExecutionContext());
const client = { baseUrl: 'http://gateway.test', key: KEY };

/**
 * A network that drops: the first `cuts` event-stream bodies break off (as a lost connection does: a read
 * error) after a random number of bytes, whatever event boundary that falls on; the requests are recorded.
 */
function droppingFetch(cuts: number, random: (n: number) => number) {
  const requests: { method: string; url: string; lastEventId: string | null }[] = [];
  const state = { dropped: 0, wrapped: 0 };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push({ method: request.method, url: new URL(request.url).pathname, lastEventId: request.headers.get('last-event-id') });
    const response = await gatewayFetch(request);
    if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || state.wrapped >= cuts)
      return response;
    state.wrapped++;
    let budget = 20 + random(300);
    const source = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await source.read();
        if (done) return controller.close();
        if (value.length < budget) {
          budget -= value.length;
          return controller.enqueue(value);
        }
        controller.enqueue(value.slice(0, budget));
        state.dropped++;
        await source.cancel();
        controller.error(new TypeError('network connection was lost'));
      },
      cancel: (reason) => source.cancel(reason),
    });
    return new Response(body, response);
  };
  return { fetch, requests, state };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const text = (events: StreamEvent[]) =>
  events
    .filter((e) => e.type === 'delta')
    .map((e) => e.content)
    .join('');

const paced = { content: 'one two three four five six seven eight nine ten '.repeat(4), stream: { pieces: 20, chunk_delay_ms: 2 } };

describe('the browser client on a resumable stream', () => {
  it.each([1, 2, 3, 4, 5])(
    'seed %i: a connection dropped up to 3 times is resumed by itself, and yields the whole answer once, from one upstream call',
    async (seed) => {
      const random = prng(seed);
      const { model, id } = await scenario(paced);
      const whole = await collect(streamChat({ ...client, fetch: gatewayFetch, model, prompt: 'hi' }));
      const cuts = 1 + random(3);
      const network = droppingFetch(cuts, random);
      let streamId: string | undefined;
      const resumed = await collect(
        streamChat({ ...client, fetch: network.fetch, model, prompt: 'hi', resumable: true, onOpen: (info) => (streamId = info.streamId) }),
      );
      expect(resumed).toEqual(whole);
      expect(text(resumed)).toBe(paced.content);
      // The first request started the stream; each later one attached to it from the last event the client had.
      // (A cut may fall after the end of a short replay: then that connection simply ends well.)
      expect(network.state.dropped).toBeGreaterThanOrEqual(1);
      expect(network.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /stream',
        ...Array.from({ length: network.state.dropped }, () => `GET /stream/${streamId}`),
      ]);
      expect(network.requests.slice(1).every((r) => r.lastEventId === null || r.lastEventId.startsWith(`${streamId}:`))).toBe(true);
      // One call for the plain stream, one for the resumable one however often it was resumed.
      expect((await mockCalls(id)).count).toBe(2);
    },
  );

  it('resumeStream attaches after a reload and replays the answer from its first event', async () => {
    const { model, id } = await scenario(paced);
    let streamId: string | undefined;
    const events = streamChat({
      ...client,
      fetch: gatewayFetch,
      model,
      prompt: 'hi',
      resumable: true,
      onOpen: (i) => (streamId = i.streamId),
    });
    // The page reads two events, then goes away (a reload): the loop is left without stopping the stream.
    const before: StreamEvent[] = [];
    for await (const event of events) if (before.push(event) === 2) break;
    const after = await collect(resumeStream({ ...client, fetch: gatewayFetch, streamId: streamId ?? '' }));
    expect(text(after)).toBe(paced.content);
    expect(after.at(-1)).toMatchObject({ type: 'done' });
    expect(after.slice(0, 2)).toEqual(before);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('Stop on a resumable stream cancels its model call at once (DELETE /stream/{id}), without waiting for the grace period', async () => {
    const { model, id } = await scenario({ content: 'word '.repeat(40), stream: { pieces: 4, stall_after: 3 } });
    const stop = new AbortController();
    const failure = await (async () => {
      for await (const _ of streamChat({ ...client, fetch: gatewayFetch, model, prompt: 'hi', resumable: true, signal: stop.signal }))
        stop.abort();
    })().catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'AbortError' });
    // Within ~2 s, well before the 5 s grace period that a mere hang-up would wait for.
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });

  it('a stream that cannot be resumed (another key, or forgotten) ends with stream_incomplete, saying why', async () => {
    const { model } = await scenario(paced);
    const network = droppingFetch(1, () => 0);
    const failure = await collect(
      streamChat({
        ...client,
        model,
        prompt: 'hi',
        resumable: true,
        // Every attach is refused as a stream of another key would be.
        fetch: (input, init) =>
          new Request(input, init).method === 'GET'
            ? Promise.resolve(
                Response.json(
                  { error: { message: 'No stream', type: 'invalid_request_error', code: 'stream_not_found' } },
                  { status: 404 },
                ),
              )
            : network.fetch(input, init),
      }),
    ).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'stream_incomplete' });
    expect((failure as Error).message).toMatch(/broke off.*Resuming it failed: No stream/);
  });

  it('an attach answers as an event stream, which EventSource requires of a reconnection', async () => {
    const { model } = await scenario(paced);
    const first = await gatewayFetch('http://gateway.test/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-gateway-resumable': 'true' },
      body: JSON.stringify({ model, prompt: 'hi' }),
    });
    await first.text();
    const again = await gatewayFetch(`http://gateway.test/stream/${first.headers.get('x-gateway-stream-id')}`, {
      headers: { authorization: `Bearer ${KEY}`, 'last-event-id': '1' },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(again.headers.get('cache-control')).toBe('no-cache, no-transform');
    await again.text();
  });
});
