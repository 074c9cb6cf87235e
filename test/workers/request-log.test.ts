// The request log: a call's log line goes through the queue consumer into D1; retention; the admin API; Server-Timing.
import {
  applyD1Migrations,
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  type D1Migration,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index.ts';
import { call, chatBody, scenario, scriptedApp, settled } from './support/gateway.ts';
import { FakeClock } from './support/fake-clock.ts';

const db = (env as unknown as { REQUEST_LOG_DB: D1Database }).REQUEST_LOG_DB;
const ADMIN = { ADMIN_TOKEN: 'admin-token-for-request-log-tests' };
const log = vi.spyOn(console, 'log');

beforeAll(async () => {
  await applyD1Migrations(db, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS);
});

/** The log line of a response, fed to the Worker's queue handler as the queue would. */
async function consume(response: Response): Promise<Record<string, unknown>> {
  const id = response.headers.get('x-request-id');
  const line = log.mock.calls.map((c) => String(c[0])).find((l) => l.includes(`"request_id":"${id}"`) && l.includes('"status"'));
  expect(line).toBeDefined();
  const batch = createMessageBatch('edge-llm-gateway-request-log', [{ id: 'm1', timestamp: Date.now(), attempts: 1, body: line }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env as Env);
  expect((await getQueueResult(batch, ctx)).outcome).toBe('ok');
  const row = await db.prepare('SELECT * FROM request_log WHERE request_id = ?').bind(id).first();
  expect(row).not.toBeNull();
  return row!;
}

const admin = (path: string, token = ADMIN.ADMIN_TOKEN) =>
  call(path, { key: null, headers: { authorization: `Bearer ${token}` }, env: ADMIN });

describe('the request log', () => {
  it('holds one row for a successful chat call, with the tokens and cost its headers report', async () => {
    const response = await call('/v1/chat/completions', { json: chatBody().body });
    expect(response.status).toBe(200);
    const row = await consume(response);
    expect(row).toMatchObject({
      route: '/v1/chat/completions',
      surface: 'chat_completions',
      status: 200,
      model: response.headers.get('x-gateway-model'),
      model_requested: chatBody().body.model,
      attempts: Number(response.headers.get('x-gateway-attempts')),
      cache: response.headers.get('x-gateway-cache'),
      prompt_tokens: Number(response.headers.get('x-gateway-prompt-tokens')),
      completion_tokens: Number(response.headers.get('x-gateway-completion-tokens')),
    });
    expect(row['cost_usd']).toBeCloseTo(Number(response.headers.get('x-gateway-cost-usd')), 10);
  });

  it('keeps the model as the client named it beside the one that answered (an alias here)', async () => {
    const response = await call('/v1/chat/completions', {
      json: { ...chatBody().body, model: 'cheap' },
      env: { MODEL_ALIASES: JSON.stringify({ cheap: 'openai/gpt-4o-mini' }) },
    });
    expect(response.status).toBe(200);
    expect(await consume(response)).toMatchObject({ model_requested: 'cheap', model: 'openai/gpt-4o-mini' });
  });

  it("holds one row for a resumable stream: its object's line with the call's usage, not the starting route's", async () => {
    const { model } = await scenario({ content: 'resumed words', usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const response = await call('/stream', { json: { model, prompt: 'hi' }, headers: { 'x-gateway-resumable': 'true' } });
    expect(response.status).toBe(200);
    await response.text();
    await settled(response);
    const id = response.headers.get('x-request-id');
    const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.includes(`"request_id":"${id}"`) && l.includes('"status"'));
    expect(lines.length).toBe(2);
    const batch = createMessageBatch(
      'edge-llm-gateway-request-log',
      lines.map((body, i) => ({ id: `r${i}`, timestamp: Date.now(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env as Env);
    expect((await getQueueResult(batch, ctx)).outcome).toBe('ok');
    const rows = (await db.prepare('SELECT * FROM request_log WHERE request_id = ?').bind(id).all()).results;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ route: '/stream', stream: 1, prompt_tokens: 7, completion_tokens: 3, model });
  });

  it('holds a row for a failed call with its status and error code', async () => {
    const response = await call('/v1/chat/completions', { json: chatBody({ status: 400 }).body });
    expect(response.status).toBe(400);
    const row = await consume(response);
    expect(row).toMatchObject({ status: 400 });
    expect(row['error_code']).toEqual(expect.any(String));
  });

  it('holds a HIT row with no tokens for a cached answer, and a streamed row with its time to first byte', async () => {
    const body = { ...chatBody().body, temperature: 0 };
    await consume(await call('/v1/chat/completions', { json: body }));
    const hit = await call('/v1/chat/completions', { json: body });
    expect(hit.headers.get('x-gateway-cache')).toBe('HIT');
    expect(await consume(hit)).toMatchObject({ cache: 'HIT', attempts: 0 });
    const streamed = await call('/v1/chat/completions', { json: { ...chatBody().body, stream: true } });
    await streamed.text();
    await settled(streamed);
    const row = await consume(streamed);
    expect(row).toMatchObject({ stream: 1, status: 200 });
    expect(row['ttfb_ms']).toEqual(expect.any(Number));
    expect(row['completion_tokens'], JSON.stringify(row)).toBeGreaterThan(0);
  });

  it("holds a retried call as one row with every attempt counted and the answering attempt's tokens", async () => {
    const { app } = scriptedApp();
    const response = await call('/v1/chat/completions', { app, json: chatBody({ steps: [{ status: 500 }, { status: 503 }] }).body });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-attempts')).toBe('3');
    expect(await consume(response)).toMatchObject({
      status: 200,
      attempts: 3,
      error_code: null,
      prompt_tokens: Number(response.headers.get('x-gateway-prompt-tokens')),
      completion_tokens: Number(response.headers.get('x-gateway-completion-tokens')),
    });
  });

  it('holds an aborted stream with what was sent before the client left, counted by the gateway and marked estimated', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    // Two long pieces, then the upstream holds the connection open: only the client leaving ends it.
    const stalled = chatBody({ content: 'word '.repeat(40), stream: { pieces: 4, stall_after: 3 } }, { stream: true });
    const response = await call('/v1/chat/completions', { app, json: stalled.body });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('word')) seen += decoder.decode((await reader.read()).value, { stream: true });
    await reader.cancel();
    await settled(response);
    const row = await consume(response);
    expect(row).toMatchObject({
      stream: 1,
      status: 200,
      error_code: 'client_closed_request',
      cost_estimated: 1,
      model: 'openai/gpt-4o-mini',
    });
    expect(row['completion_tokens']).toBeGreaterThan(0);
    expect(row['cost_usd']).toBeGreaterThan(0);
  });

  it('holds a tool-loop row with its steps and the tokens of both model calls', async () => {
    const { model } = await scenario({
      steps: [
        { tool_calls: [{ name: 'calculate', arguments: { expression: '2+2' } }], usage: { prompt_tokens: 20, completion_tokens: 5 } },
        { content: 'Four.', usage: { prompt_tokens: 40, completion_tokens: 3 } },
      ],
    });
    const response = await call('/chat', { json: { prompt: 'What is 2+2?', model, tools: ['calculate'] } });
    expect(response.status).toBe(200);
    const row = await consume(response);
    expect(row).toMatchObject({ route: '/chat', surface: 'gateway', tool_steps: 2, prompt_tokens: 60, completion_tokens: 8 });
    expect(row['prompt_tokens']).toBe(Number(response.headers.get('x-gateway-prompt-tokens')));
  });

  it('deletes exactly the rows older than the retention when the cron runs', async () => {
    const now = Date.UTC(2030, 0, 31);
    const day = 86_400_000;
    const insert = (id: string, at: number) =>
      db
        .prepare(
          "INSERT INTO request_log (request_id, at, method, route, surface, status, latency_ms) VALUES (?, ?, 'POST', '/chat', 'gateway', 200, 1)",
        )
        .bind(id, at);
    await db.batch([insert('r-old', now - 30 * day - 1), insert('r-edge', now - 30 * day), insert('r-new', now - day)]);
    await worker.scheduled(createScheduledController({ scheduledTime: now }), env as Env);
    const { results } = await db.prepare("SELECT request_id FROM request_log WHERE request_id LIKE 'r-%' ORDER BY request_id").all();
    expect(results.map((r) => r['request_id'])).toEqual(['r-edge', 'r-new']);
  });

  it('is read page by page through GET /admin/logs, and refused with a wrong admin token', async () => {
    const base = Date.UTC(2031, 0, 1);
    await db.batch(
      [0, 1, 2, 3, 4].map((i) =>
        db
          .prepare(
            "INSERT INTO request_log (request_id, at, key_name, method, route, surface, model, status, latency_ms, cache) VALUES (?, ?, 'pager', 'POST', '/chat', 'gateway', 'openai/gpt-4o-mini', ?, ?, ?)",
          )
          .bind(`p-${i}`, base + (i < 2 ? 0 : i), i === 4 ? 500 : 200, 10 * (i + 1), ['HIT', 'MISS', 'HIT', 'BYPASS', 'MISS'][i]),
      ),
    );
    const first = await admin('/admin/logs?key=pager&limit=2');
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { data: { request_id: string }[]; next_cursor: string };
    expect(page1.data.map((r) => r.request_id)).toEqual(['p-4', 'p-3']);
    const page2 = (await (await admin(`/admin/logs?key=pager&limit=2&cursor=${page1.next_cursor}`)).json()) as typeof page1;
    expect(page2.data.map((r) => r.request_id)).toEqual(['p-2', 'p-1']);
    const page3 = (await (await admin(`/admin/logs?key=pager&limit=2&cursor=${page2.next_cursor}`)).json()) as typeof page1;
    expect(page3.data.map((r) => r.request_id)).toEqual(['p-0']);
    expect(page3.next_cursor).toBeNull();
    const failed = (await (await admin('/admin/logs?key=pager&status=500')).json()) as typeof page1;
    expect(failed.data.map((r) => r.request_id)).toEqual(['p-4']);
    expect((await admin('/admin/logs?limit=1001')).status).toBe(400);
    expect((await admin('/admin/logs', 'wrong-token')).status).toBe(401);
    const stats = (await (await admin(`/admin/stats?group=day&by=key&from=${base}&to=${base + 86_400_000}`)).json()) as {
      data: Record<string, unknown>[];
    };
    expect(stats.data).toEqual([
      expect.objectContaining({
        bucket: '2031-01-01',
        key: 'pager',
        requests: 5,
        errors: 1,
        error_rate: 0.2,
        cache_hits: 2,
        cache_misses: 2,
        latency_p50_ms: 30,
        latency_p95_ms: 50,
      }),
    ]);
  });

  it('answers chat, stream and error responses with a well-formed Server-Timing', async () => {
    const shape = /^gateway;dur=[\d.]+, upstream;dur=[\d.]+, total;dur=[\d.]+$/;
    const ok = await call('/v1/chat/completions', { json: chatBody().body });
    const streamed = await call('/v1/chat/completions', { json: { ...chatBody().body, stream: true } });
    await streamed.text();
    const refused = await call('/v1/chat/completions', { json: chatBody().body, key: 'wrong' });
    for (const response of [ok, streamed, refused]) expect(response.headers.get('server-timing')).toMatch(shape);
  });
});
