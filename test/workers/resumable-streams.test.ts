// Resumable streams (x-gateway-resumable): the call runs in a Durable Object that numbers and keeps its events,
// so a client cut off mid-answer reattaches with Last-Event-ID and misses nothing, and the upstream is called once.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { until } from './support/fake-clock.ts';
import { call, KEY, mockCalls, scenario, sseEvents } from './support/gateway.ts';
import { prng } from '../support/prng.ts';

interface Event {
  readonly id: string | null;
  readonly event: string | null;
  readonly data: string;
}

/** The complete events of an SSE text (comments left out), with their ids. */
function eventsOf(text: string): Event[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const line = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? null;
      return { id: line('id'), event: line('event'), data: line('data') ?? '' };
    });
}

/** Reads a stream until it has `count` complete events, then hangs up; only complete events count (as in EventSource). */
async function readThenCut(response: Response, count: number): Promise<Event[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const complete = eventsOf(text.slice(0, text.lastIndexOf('\n\n') + 2));
    if (complete.length >= count) {
      await reader.cancel();
      return complete.slice(0, count);
    }
    const { done, value } = await reader.read();
    if (done) return eventsOf(text);
    text += decoder.decode(value, { stream: true });
  }
}

const RESUMABLE = { 'x-gateway-resumable': 'true' };
const paced = (pieces: number) => ({
  content: 'one two three four five six seven eight nine ten '.repeat(6),
  stream: { pieces, chunk_delay_ms: 2 },
});
// Role frame and two pieces, then the upstream holds the connection open: only a cancel ends it.
const stalled = { content: 'word '.repeat(40), stream: { pieces: 4, stall_after: 3 } };

const objectOf = (streamId: string) => env.RESUMABLE.get(env.RESUMABLE.idFromName(streamId));

describe('a resumable /stream', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: cut at 1–5 random points and resumed, it yields the uninterrupted events in order, once each, from one upstream call',
    async (seed) => {
      const random = prng(seed);
      const { model, id: scenarioId } = await scenario(paced(24));
      const first = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
      expect(first.status).toBe(200);
      const streamId = first.headers.get('x-gateway-stream-id')!;
      expect(streamId).toMatch(/^[0-9a-f-]{36}$/);

      const seen: Event[] = [];
      let response = first;
      const cuts = 1 + random(5);
      for (let cut = 0; cut <= cuts; cut++) {
        // The last connection reads to the end; the others hang up after a few events.
        const got = await readThenCut(response, cut === cuts ? Number.POSITIVE_INFINITY : 1 + random(4));
        seen.push(...got);
        if (cut === cuts) break;
        const last = seen.at(-1)?.id;
        // Alternately the EventSource way (Last-Event-ID) and the fetch way (?after=N).
        response =
          cut % 2 === 0 || !last
            ? await call(`/stream/${streamId}`, { headers: last ? { 'last-event-id': last } : {} })
            : await call(`/stream/${streamId}?after=${last.split(':')[1]}`);
        expect(response.status).toBe(200);
      }

      // Ids are the stream id and 1, 2, 3…: no gap, no duplicate.
      expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => `${streamId}:${i + 1}`));
      // The same events as the whole stream replayed from its start, which ends as every /stream does.
      const whole = eventsOf(await (await call(`/stream/${streamId}?after=0`)).text());
      expect(seen).toEqual(whole);
      expect(whole.at(-1)?.event).toBe('done');
      // The same text as today's (not resumable) /stream of the same answer.
      const plain = sseEvents(await (await call('/stream', { json: { model, prompt: 'hi' } })).text());
      const text = (events: { event: string | null; data: string }[]) =>
        events
          .filter((e) => e.event === 'delta')
          .map((e) => (JSON.parse(e.data) as { content: string }).content)
          .join('');
      expect(text(seen)).toBe(text(plain));
      // One upstream call for the resumable stream however often it was resumed, one for the plain stream.
      expect((await mockCalls(scenarioId)).count).toBe(2);
    },
  );

  it('cancels the upstream call when no client comes back within the grace period', async () => {
    const { model, id } = await scenario(stalled);
    const response = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
    const streamId = response.headers.get('x-gateway-stream-id')!;
    await readThenCut(response, 1);
    const stub = objectOf(streamId);
    // The client left: the grace period starts (an alarm), and the upstream call goes on meanwhile.
    await until(async () => (await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())) !== null, 'the grace alarm is set');
    expect((await mockCalls(id)).closed_by_client).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await until(async () => (await mockCalls(id)).closed_by_client === 1, 'the upstream request is aborted');
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('keeps the call going while a client is back within the grace period', async () => {
    const { model, id } = await scenario(stalled);
    const response = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
    const streamId = response.headers.get('x-gateway-stream-id')!;
    const [first] = await readThenCut(response, 1);
    const stub = objectOf(streamId);
    await until(async () => (await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())) !== null, 'the grace alarm is set');
    const back = await call(`/stream/${streamId}`, { headers: { 'last-event-id': first!.id! } });
    expect(back.status).toBe(200);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect((await mockCalls(id)).closed_by_client).toBe(0);
    await back.body!.cancel();
  });

  it('keeps generating with no client attached when RESUMABLE_DETACHED is keep', async () => {
    const { model, id } = await scenario(paced(12));
    const response = await call('/stream', {
      json: { model, prompt: 'hi' },
      headers: RESUMABLE,
      env: { RESUMABLE_DETACHED: 'keep' },
    });
    const streamId = response.headers.get('x-gateway-stream-id')!;
    await readThenCut(response, 1);
    // No grace alarm; the stream runs to its end and a later attach replays it whole.
    const whole = eventsOf(await (await call(`/stream/${streamId}?after=0`)).text());
    expect(whole.at(-1)?.event).toBe('done');
    expect((await mockCalls(id)).closed_by_client).toBe(0);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('EventSource reconnection works with no client code: the same GET URL with Last-Event-ID attaches to the stream', async () => {
    const { model, id } = await scenario(paced(12));
    const url = `/stream?prompt=hi&model=${encodeURIComponent(model)}&resumable=true&access_token=${KEY}`;
    const headers = { accept: 'text/event-stream' };
    const first = await call(url, { key: null, headers });
    expect(first.status).toBe(200);
    const head = await readThenCut(first, 2);
    const rest = eventsOf(await (await call(url, { key: null, headers: { ...headers, 'last-event-id': head.at(-1)!.id! } })).text());
    const seen = [...head, ...rest];
    const streamId = first.headers.get('x-gateway-stream-id')!;
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => `${streamId}:${i + 1}`));
    expect(seen.at(-1)?.event).toBe('done');
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('a finished stream is forgotten when its keeping time is over (the alarm): then 404', async () => {
    const { model } = await scenario(paced(4));
    const response = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
    const streamId = response.headers.get('x-gateway-stream-id')!;
    await response.text();
    expect((await call(`/stream/${streamId}?after=0`)).status).toBe(200);
    await until(
      async () => (await runInDurableObject(objectOf(streamId), (_o, state) => state.storage.getAlarm())) !== null,
      'the keep alarm is set',
    );
    expect(await runDurableObjectAlarm(objectOf(streamId))).toBe(true);
    expect((await call(`/stream/${streamId}?after=0`)).status).toBe(404);
  });

  it('several clients attached at once (two tabs) each get the whole stream, from one upstream call', async () => {
    const { model, id } = await scenario(paced(12));
    const first = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
    const streamId = first.headers.get('x-gateway-stream-id')!;
    const second = await call(`/stream/${streamId}?after=0`);
    const [a, b] = await Promise.all([first.text(), second.text()]);
    expect(eventsOf(a).at(-1)?.event).toBe('done');
    expect(eventsOf(b)).toEqual(eventsOf(a));
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('DELETE /stream/:id cancels the upstream call at once, and attached clients see the stream end', async () => {
    const { model, id } = await scenario(stalled);
    const response = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
    const streamId = response.headers.get('x-gateway-stream-id')!;
    const cancelled = await call(`/stream/${streamId}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toEqual({ id: streamId, object: 'stream', cancelled: true });
    await until(async () => (await mockCalls(id)).closed_by_client === 1, 'the upstream request is aborted');
    await response.text();
  });

  it('another key cannot attach to or cancel a stream: 404, as for a stream that never was', async () => {
    const { model } = await scenario(paced(4));
    const response = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
    const streamId = response.headers.get('x-gateway-stream-id')!;
    for (const method of ['GET', 'DELETE']) {
      const other = await call(`/stream/${streamId}`, { method, key: 'gw-test-key-2' });
      expect(other.status).toBe(404);
      expect(((await other.json()) as { error: { code: string } }).error.code).toBe('stream_not_found');
    }
    const never = await call(`/stream/${crypto.randomUUID()}`);
    expect(never.status).toBe(404);
    await response.text();
  });

  it('a request that does not ask for it takes the plain path: no stream id, no event ids', async () => {
    const { model } = await scenario(paced(4));
    const response = await call('/stream', { json: { model, prompt: 'hi' } });
    expect(response.headers.get('x-gateway-stream-id')).toBeNull();
    expect(await response.text()).not.toMatch(/^id: /m);
  });
});

describe('a resumable /v1/chat/completions stream', () => {
  it('numbers its OpenAI frames, and a cut client resumes at GET /stream/:id with the rest, [DONE] included, from one upstream call', async () => {
    const { model, id: scenarioId } = await scenario(paced(12));
    const json = { model, messages: [{ role: 'user', content: 'hi' }], stream: true };
    const first = await call('/v1/chat/completions', { json, headers: RESUMABLE });
    expect(first.status).toBe(200);
    const streamId = first.headers.get('x-gateway-stream-id')!;
    const head = await readThenCut(first, 3);
    const rest = eventsOf(await (await call(`/stream/${streamId}`, { headers: { 'last-event-id': head.at(-1)!.id! } })).text());
    const seen = [...head, ...rest];
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => `${streamId}:${i + 1}`));
    expect(seen.at(-1)?.data).toBe('[DONE]');
    const content = seen
      .filter((e) => e.data !== '[DONE]')
      .map((e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe(paced(12).content);
    expect((await mockCalls(scenarioId)).count).toBe(1);
  });

  it('a non-stream request ignores x-gateway-resumable: a plain JSON answer', async () => {
    const { model } = await scenario(paced(4));
    const response = await call('/v1/chat/completions', {
      json: { model, messages: [{ role: 'user', content: 'hi' }] },
      headers: RESUMABLE,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-stream-id')).toBeNull();
  });
});

describe('what a resumable stream costs', () => {
  it('one log line carries its one upstream call and its tokens, however often it is resumed; the relay lines carry none', async () => {
    const log = vi.spyOn(console, 'log');
    try {
      const { model } = await scenario(paced(12));
      const first = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE });
      const streamId = first.headers.get('x-gateway-stream-id')!;
      const head = await readThenCut(first, 2);
      const again = await call(`/stream/${streamId}`, { headers: { 'last-event-id': head.at(-1)!.id! } });
      await again.text();
      const requestId = first.headers.get('x-request-id');
      await until(
        () => log.mock.calls.some((c) => String(c[0]).includes(`"request_id":"${requestId}"`) && String(c[0]).includes('"attempts"')),
        'the log line of the stream is written',
      );
      const lines = log.mock.calls
        .map((c) => String(c[0]))
        .filter((l) => l.startsWith('{') && l.includes('"status"'))
        .map((l) => JSON.parse(l) as Record<string, unknown> & { attempts?: unknown[] });
      const called = lines.filter((l) => (l.attempts?.length ?? 0) > 0);
      expect(called).toHaveLength(1);
      expect(called[0]).toMatchObject({ request_id: requestId, route: '/stream', stream: true });
      expect(called[0]?.['completion_tokens']).toBeGreaterThan(0);
      const relayed = lines.filter((l) => l['stream_id'] === streamId);
      expect(relayed.map((l) => l['stream_op'])).toEqual(['start', 'attach']);
    } finally {
      log.mockRestore();
    }
  });
});

describe('the events a resumable stream keeps', () => {
  it('are bounded by RESUMABLE_MAX_KEPT_BYTES: the oldest are dropped, a reattach from before them gets 410, from after them the rest', async () => {
    const { model } = await scenario({ content: 'one two three four five six seven eight nine ten '.repeat(6), stream: { pieces: 30 } });
    const bound = { RESUMABLE_MAX_KEPT_BYTES: '2000' };
    const first = await call('/stream', { json: { model, prompt: 'hi' }, headers: RESUMABLE, env: bound });
    const whole = eventsOf(await first.text());
    const streamId = first.headers.get('x-gateway-stream-id')!;
    expect(whole.length).toBeGreaterThan(20);
    const frameBytes = whole.map(
      (e) => new TextEncoder().encode(`id: ${e.id}\n${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`).byteLength,
    );
    // The events kept: the newest ones whose bytes fit in the bound.
    let kept = 0;
    for (let bytes = 0; kept < frameBytes.length && bytes + frameBytes[frameBytes.length - 1 - kept]! <= 2000; kept++)
      bytes += frameBytes[frameBytes.length - 1 - kept]!;
    const oldestKept = whole.length - kept + 1;
    expect(oldestKept).toBeGreaterThan(1);

    const expired = await call(`/stream/${streamId}`, { headers: { 'last-event-id': `${streamId}:0` }, env: bound });
    expect(expired.status).toBe(410);
    expect(expired.headers.get('x-should-retry')).toBe('false');
    const error = (await expired.json<{ error: { code: string; message: string } }>()).error;
    expect(error.code).toBe('stream_events_expired');
    expect(error.message).toContain(`the oldest it keeps is ${oldestKept}`);

    const rest = await call(`/stream/${streamId}`, { headers: { 'last-event-id': `${streamId}:${oldestKept - 1}` }, env: bound });
    expect(rest.status).toBe(200);
    expect(eventsOf(await rest.text())).toEqual(whole.slice(oldestKept - 1));
  });
});
