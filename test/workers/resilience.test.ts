import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import {
  call,
  chatBody,
  eventually,
  heldFetch,
  mockCalls,
  mockUrl,
  scenario,
  scriptedApp,
  sseEvents,
  upstreamSaw,
} from './support/gateway.ts';

type ErrorJson = { error: { message: string; type: string; param: string | null; code: string | null } };
const ask = (extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content: 'hi' }], ...extra });
const serverError = { status: 500 };

interface Row {
  fault: string;
  /** The mock directive (attempt by attempt through `steps`). */
  mock: Record<string, unknown>;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  env?: Record<string, string>;
  status: number;
  /** Upstream calls the mock saw. */
  calls: number;
  /** Waits the gateway chose between attempts. */
  sleeps?: number[];
  model?: string;
  code?: string;
  /** Fake-clock time to let pass once the upstream has seen the first request (it stalls meanwhile). */
  advanceMs?: number;
}

const rows: Row[] = [
  {
    fault: '429 with Retry-After in seconds, then success',
    mock: { steps: [{ status: 429, headers: { 'retry-after': '2' } }] },
    status: 200,
    calls: 2,
    sleeps: [2000],
  },
  {
    fault: '429 with retry-after-ms, then success',
    mock: { steps: [{ status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } }] },
    status: 200,
    calls: 2,
    sleeps: [1500],
  },
  {
    fault: '429 insufficient_quota (billing, not a rate limit)',
    mock: {
      status: 429,
      body: { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
    },
    status: 429,
    calls: 1,
    sleeps: [],
    code: 'insufficient_quota',
  },
  {
    fault: '429 insufficient_quota with a fallback model',
    mock: { steps: [{ status: 429, body: { error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } } }] },
    body: { models: ['openai/gpt-4.1-mini'] },
    status: 200,
    calls: 2,
    sleeps: [],
    model: 'openai/gpt-4.1-mini',
  },
  {
    fault: '500, 502, 503, then success',
    mock: { steps: [{ status: 500 }, { status: 502 }, { status: 503 }] },
    env: { MAX_ATTEMPTS: '4' },
    status: 200,
    calls: 4,
    sleeps: [500, 1000, 2000],
  },
  {
    fault: 'backoff capped at RETRY_MAX_MS',
    mock: { steps: [serverError, serverError, serverError] },
    env: { MAX_ATTEMPTS: '4', RETRY_BASE_MS: '1000', RETRY_MAX_MS: '1500' },
    status: 200,
    calls: 4,
    sleeps: [1000, 1500, 1500],
  },
  {
    fault: '500 forever: the fallback model answers',
    mock: { steps: [serverError, serverError, serverError] },
    body: { models: ['openai/gpt-4.1-mini'] },
    status: 200,
    calls: 4,
    sleeps: [500, 1000],
    model: 'openai/gpt-4.1-mini',
  },
  {
    fault: '500 forever with fallbacks from x-gateway-fallbacks',
    mock: { steps: [serverError] },
    headers: { 'x-gateway-fallbacks': 'openai/gpt-4.1-nano', 'x-gateway-max-attempts': '1' },
    status: 200,
    calls: 2,
    sleeps: [],
    model: 'openai/gpt-4.1-nano',
  },
  {
    fault: '500 forever with fallbacks from the FALLBACKS var',
    mock: { steps: [serverError] },
    env: { FALLBACKS: JSON.stringify({ 'openai/gpt-4o-mini': ['openai/gpt-4o'] }), MAX_ATTEMPTS: '1' },
    status: 200,
    calls: 2,
    model: 'openai/gpt-4o',
  },
  {
    fault: '500 with x-should-retry: false',
    mock: { status: 500, headers: { 'x-should-retry': 'false' } },
    status: 500,
    calls: 1,
    sleeps: [],
  },
  {
    fault: '400 (never retried, no fallback)',
    mock: { status: 400 },
    body: { models: ['openai/gpt-4.1-mini'] },
    status: 400,
    calls: 1,
    sleeps: [],
  },
  { fault: 'connection reset, then success', mock: { steps: [{ reset: true }] }, status: 200, calls: 2, sleeps: [500] },
  {
    fault: 'malformed upstream JSON, then success',
    mock: { steps: [{ raw: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": oops' } }] },
    status: 200,
    calls: 2,
  },
  {
    fault: 'stall before the first byte: timeout, then the fallback',
    mock: { steps: [{ stall: true }] },
    body: { models: ['openai/gpt-4.1-mini'] },
    headers: { 'x-gateway-max-attempts': '1' },
    env: { FIRST_BYTE_TIMEOUT_MS: '300' },
    advanceMs: 300,
    status: 200,
    calls: 2,
    model: 'openai/gpt-4.1-mini',
  },
  {
    fault: 'a deadline shorter than Retry-After: the 429 at once, with its Retry-After',
    mock: { status: 429, headers: { 'retry-after': '30' } },
    headers: { 'x-gateway-timeout-ms': '2000' },
    status: 429,
    calls: 1,
    sleeps: [],
  },
  {
    fault: 'a deadline that passes while the upstream stalls',
    mock: { stall: true },
    headers: { 'x-gateway-timeout-ms': '5000' },
    advanceMs: 5000,
    status: 504,
    calls: 1,
    code: 'timeout',
  },
  {
    fault: 'context too long: fallback only to a model with a larger window',
    mock: {
      steps: [
        {
          status: 400,
          body: {
            error: {
              message: "This model's maximum context length is 128000 tokens.",
              type: 'invalid_request_error',
              param: 'messages',
              code: 'context_length_exceeded',
            },
          },
        },
      ],
    },
    body: { models: ['openai/gpt-3.5-turbo', 'openai/gpt-4.1'] },
    status: 200,
    calls: 2,
    model: 'openai/gpt-4.1',
  },
];

describe('when the upstream fails (non-stream)', () => {
  for (const row of rows) {
    it(`${row.fault} → ${row.status} after ${row.calls} upstream call(s)`, async () => {
      const clock = new FakeClock();
      const { app, sleeps } = scriptedApp({ clock });
      const { id, body } = chatBody(row.mock, row.body);
      const pending = call('/v1/chat/completions', {
        json: body,
        app,
        ...(row.headers ? { headers: row.headers } : {}),
        ...(row.env ? { env: row.env } : {}),
      });
      if (row.advanceMs !== undefined) {
        await upstreamSaw(id);
        await clock.advance(row.advanceMs);
      }
      const response = await pending;
      expect(response.status).toBe(row.status);
      expect((await mockCalls(id)).count).toBe(row.calls);
      if (row.sleeps) expect(sleeps).toEqual(row.sleeps);
      if (row.model) expect(response.headers.get('x-gateway-model')).toBe(row.model);
      if (row.status === 200) expect(response.headers.get('x-gateway-attempts')).toBe(String(row.calls));
      else {
        const { error } = await response.json<ErrorJson>();
        expect(error.message).toBeTruthy();
        if (row.code) expect(error.code).toBe(row.code);
      }
      if (row.status === 429 && row.mock['headers']) expect(response.headers.get('retry-after')).toBe('30');
    });
  }

  it('tells clients not to retry on top (x-should-retry: false) once it spent every attempt', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const spent = chatBody({ status: 503 });
    const response = await call('/v1/chat/completions', { json: spent.body, app });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect((await mockCalls(spent.id)).count).toBe(3);
    const single = chatBody({ status: 503 });
    const once = await call('/v1/chat/completions', { json: single.body, app, headers: { 'x-gateway-max-attempts': '1' } });
    expect(once.headers.get('x-should-retry')).toBeNull();
  });

  it('waits until a Retry-After HTTP date', async () => {
    const clock = new FakeClock();
    const { app, sleeps } = scriptedApp({ clock });
    const when = new Date(clock.wallNow() + 5000).toUTCString();
    const { body } = chatBody({ steps: [{ status: 503, headers: { 'retry-after': when } }] });
    expect((await call('/v1/chat/completions', { json: body, app })).status).toBe(200);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('falls back when the upstream rejects the gateway key, to another provider', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const primary = await scenario({});
    const fallback = await scenario({}, 'groq');
    const env = { OPENAI_API_KEY: 'bad-key', GROQ_API_KEY: 'gsk-test-000000', GROQ_BASE_URL: `${mockUrl}/v1` };
    const response = await call('/v1/chat/completions', { json: ask({ model: primary.model, models: [fallback.model] }), app, env });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe(fallback.model);
    expect((await mockCalls(primary.id)).count).toBe(1);
    expect((await mockCalls(fallback.id)).count).toBe(1);
  });

  it('puts a failing deployment in cooldown, skipping it while other models of the provider still answer', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const dead = await scenario({ status: 503 });
    const alive = await scenario({});
    const env = { COOLDOWN_FAILURES: '2', MAX_ATTEMPTS: '1' };
    for (let i = 0; i < 3; i++) {
      const response = await call('/chat', { json: { prompt: 'hi', model: dead.model, models: [alive.model] }, app, env });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-gateway-model')).toBe(alive.model);
    }
    expect((await mockCalls(dead.id)).count).toBe(2);
    expect((await mockCalls(alive.id)).count).toBe(3);
    const alone = await call('/chat', { json: { prompt: 'hi', model: dead.model }, app, env });
    expect(alone.status).toBe(503);
    expect((await alone.json<ErrorJson>()).error.code).toBe('model_cooling_down');
    expect(alone.headers.get('retry-after')).toBeTruthy();
  });

  it("does not cool a model down for everyone from one request's retries", async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const dead = await scenario({ status: 503 });
    const env = { COOLDOWN_FAILURES: '3', MAX_ATTEMPTS: '3' };
    const first = await call('/chat', { json: { prompt: 'hi', model: dead.model }, app, env });
    expect([first.status, (await mockCalls(dead.id)).count]).toEqual([503, 3]);
    const next = await call('/chat', { json: { prompt: 'hi', model: dead.model }, app, env });
    expect((await next.json<ErrorJson>()).error.code).not.toBe('model_cooling_down');
    expect((await mockCalls(dead.id)).count).toBe(6);
  });

  it('refuses a bad x-gateway-max-attempts, and one above MAX_ATTEMPTS: a request narrows the deployer’s setting, never widens it', async () => {
    expect((await call('/v1/chat/completions', { json: ask(), headers: { 'x-gateway-max-attempts': 'lots' } })).status).toBe(400);
    const { app, sleeps } = scriptedApp({ clock: new FakeClock() });
    const { id, body } = chatBody({ status: 503 });
    const raised = await call('/v1/chat/completions', {
      json: body,
      app,
      headers: { 'x-gateway-max-attempts': '10' },
      env: { MAX_ATTEMPTS: '3' },
    });
    expect(raised.status).toBe(400);
    const error = (await raised.json<ErrorJson>()).error;
    expect(error.param).toBe('x-gateway-max-attempts');
    expect(error.message).toContain('MAX_ATTEMPTS (3)');
    expect((await mockCalls(id)).count).toBe(0);
    await call('/v1/chat/completions', {
      json: body,
      app,
      headers: { 'x-gateway-max-attempts': '2' },
      env: { MAX_ATTEMPTS: '3', COOLDOWN_FAILURES: '100' },
    });
    expect((await mockCalls(id)).count).toBe(2);
    expect(sleeps).toHaveLength(1);
  });

  it('refuses a deadline longer than REQUEST_TIMEOUT_MS, too many fallbacks, and n above MAX_N, with no upstream call', async () => {
    const cases: [Record<string, unknown>, Record<string, string>, string][] = [
      [{}, { 'x-gateway-timeout-ms': '999999' }, 'x-gateway-timeout-ms'],
      [{ models: ['openai/a', 'openai/b', 'openai/c', 'openai/d'] }, {}, 'models'],
      [{}, { 'x-gateway-fallbacks': 'openai/a,openai/b,openai/c,openai/d' }, 'x-gateway-fallbacks'],
      [{ n: 5 }, {}, 'n'],
    ];
    for (const [extra, headers, param] of cases) {
      const { id, body } = chatBody({}, extra);
      const response = await call('/v1/chat/completions', { json: body, headers });
      expect(response.status).toBe(400);
      expect((await response.json<ErrorJson>()).error.param).toBe(param);
      expect((await mockCalls(id)).count).toBe(0);
    }
  });

  it('asks for a long non-stream answer once: a first-byte timeout is not retried on the same model, nor put in cooldown', async () => {
    const clock = new FakeClock();
    const { app, deps } = scriptedApp({ clock });
    // An answer that would take a minute of real time: only the fake first-byte timeout can end the wait.
    const { id, body } = chatBody({ delay_ms: 60_000 });
    const env = { FIRST_BYTE_TIMEOUT_MS: '100', MAX_ATTEMPTS: '3', COOLDOWN_FAILURES: '1' };
    const pending = call('/v1/chat/completions', { json: body, app, env });
    await upstreamSaw(id);
    await clock.advance(100);
    const response = await pending;
    expect(response.status).toBe(504);
    expect((await mockCalls(id)).count).toBe(1);
    expect(deps.cooldown.remainingMs('openai/gpt-4o-mini')).toBe(0);
    const next = chatBody();
    expect((await call('/v1/chat/completions', { json: next.body, app, env })).status).toBe(200);
  });
});

/**
 * Reads a stream until `events` SSE events have come, then, the upstream being silent, moves the clock
 * `stepMs` at a time until the stream ends; returns the whole text.
 */
async function readWhileSilent(response: Response, events: number, clock: FakeClock, stepMs: number): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (sseEvents(text).length < events) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
  let ended = false;
  const rest = (async () => {
    for (let step = await reader.read(); !step.done; step = await reader.read()) text += step.value;
    ended = true;
  })();
  while (!ended) await clock.advance(stepMs);
  await rest;
  return text;
}

describe('when the upstream fails during a stream', () => {
  it('ends with an error event when the upstream goes silent mid-stream, and never retries', async () => {
    const clock = new FakeClock();
    const { app } = scriptedApp({ clock });
    const { id, body } = chatBody({ stream: { stall_after: 3 } }, { stream: true });
    const response = await call('/v1/chat/completions', { json: body, app, env: { STREAM_IDLE_TIMEOUT_MS: '300' } });
    const events = sseEvents(await readWhileSilent(response, 3, clock, 300));
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    expect(JSON.parse(events.at(-1)?.data ?? '{}').error.code).toBe('stream_idle_timeout');
    expect((await mockCalls(id)).count).toBe(1);
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });

  it('ends with an error event when the connection is cut mid-stream, and never retries', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { id, body } = chatBody({ stream: { cut_after: 3 } }, { stream: true });
    const events = sseEvents(await (await call('/v1/chat/completions', { json: body, app })).text());
    expect(JSON.parse(events.at(-1)?.data ?? '{}').error).toBeTruthy();
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('retries a stream that fails before its first chunk, with the real status when all fail', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { id, body } = chatBody({ steps: [{ status: 503 }] }, { stream: true });
    const ok = await call('/v1/chat/completions', { json: body, app });
    expect(ok.status).toBe(200);
    expect((await ok.text()).endsWith('data: [DONE]\n\n')).toBe(true);
    expect((await mockCalls(id)).count).toBe(2);
    const failing = chatBody({ status: 429, headers: { 'retry-after': '1' } }, { stream: true });
    const limited = await call('/v1/chat/completions', { json: failing.body, app, headers: { 'x-gateway-max-attempts': '2' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/json');
  });

  it('sends `: ping` comments while waiting for a slow first token, then the answer', async () => {
    const clock = new FakeClock();
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { body } = chatBody({}, { stream: true });
    const pending = call('/v1/chat/completions', { json: body, app, env: { KEEPALIVE_INTERVAL_MS: '100' } });
    // The first token takes 450 ms: past the first interval the gateway commits to a 200 stream, then pings every 100 ms.
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const response = await pending;
    expect(response.status).toBe(200);
    const read = response.text();
    for (let ms = 100; ms < 400; ms += 100) await clock.advanceWhenScheduled(100);
    await clock.advance(50);
    upstream.release();
    const text = await read;
    expect(text.startsWith(': ping\n\n')).toBe(true);
    expect(text.match(/: ping/g)?.length).toBeGreaterThanOrEqual(2);
    expect(text.match(/: ping/g)?.length).toBe(3);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends a kept-alive stream with an error event when every attempt then fails', async () => {
    const clock = new FakeClock();
    const upstream = heldFetch();
    const { app } = scriptedApp({ clock, fetch: upstream.fetch });
    const { body } = chatBody({ status: 500 }, { stream: true });
    const response = await call('/stream', {
      json: { prompt: 'hi' },
      app: scriptedApp({ clock: new FakeClock() }).app,
      env: { KEEPALIVE_INTERVAL_MS: '100' },
    }).catch(() => undefined);
    void response?.body?.cancel();
    const pending = call('/v1/chat/completions', {
      json: body,
      app,
      headers: { 'x-gateway-max-attempts': '1' },
      env: { KEEPALIVE_INTERVAL_MS: '100' },
    });
    // The 500 takes 200 ms to arrive: one interval commits to a 200 stream, the next sends a ping, then the failure.
    await upstream.answered;
    await clock.advanceWhenScheduled(100);
    const viaOpenAi = await pending;
    const read = viaOpenAi.text();
    await clock.advanceWhenScheduled(100);
    upstream.release();
    const text = await read;
    expect(text.startsWith(': ping')).toBe(true);
    const last = sseEvents(text).at(-1);
    expect(JSON.parse(last?.data ?? '{}').error.type).toBeTruthy();
    expect(text).not.toContain('[DONE]');
  });
});

describe('when the client goes away', () => {
  it('during a backoff wait: no further attempt starts', async () => {
    const clock = new FakeClock();
    const { app } = scriptedApp({ clock, waitOnClock: true });
    const { id, body } = chatBody({ status: 503, headers: { 'retry-after': '3' } });
    const client = new AbortController();
    const started = clock.now();
    const pending = call('/v1/chat/completions', { json: body, app, signal: client.signal });
    await clock.scheduled((ms) => ms === 3000);
    client.abort();
    // The clock stands still: the 499 comes without the 3 s wait passing, and the wait is cancelled.
    const response = await pending;
    expect(response.status).toBe(499);
    expect(clock.now() - started).toBeLessThan(2500);
    expect(clock.pending()).not.toContain(3000);
    await clock.advance(3000);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('while the upstream is still thinking: the upstream request is aborted', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { id, body } = chatBody({ stall: true });
    const client = new AbortController();
    const pending = call('/v1/chat/completions', { json: body, app, signal: client.signal });
    await upstreamSaw(id);
    client.abort();
    const response = await pending;
    expect(response.status).toBe(499);
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });
});
