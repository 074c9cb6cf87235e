// Every exit of the model-call pipeline ends in one Outcome, asserted on the pipeline itself (no HTTP).
import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/cache/single-flight.ts';
import type { ChatBody } from '../../src/core/types.ts';
import { clientClosed, GatewayError } from '../../src/errors.ts';
import type { SharedAnswer } from '../../src/gateway/cache-stage.ts';
import { collectCompletion } from '../../src/gateway/collect.ts';
import type { GatewayEvent } from '../../src/gateway/types.ts';
import { chatBody, eventually, heldFetch, mockCalls, upstreamSaw } from './support/gateway.ts';
import { callRequest, testPipeline } from './support/pipeline.ts';

const REPLY = 'Hello from the mock upstream. You said: Say hello';
const asBody = (body: Record<string, unknown>) => body as ChatBody;

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(GatewayError);
  return thrown as GatewayError;
}

async function readAll(events: AsyncIterable<GatewayEvent>): Promise<GatewayEvent[]> {
  const seen: GatewayEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('the outcome of a call that answers', () => {
  it('non-stream: ok, the target, one attempt, the completion and its usage; the cache bypassed', async () => {
    const pipeline = testPipeline();
    const { id, body } = chatBody();
    const call = pipeline.callModel(callRequest(pipeline, asBody(body)));
    const answer = await call.answer;
    expect(answer).toMatchObject({ cache: 'BYPASS', target: { id: 'openai/gpt-4o-mini' } });
    expect((await collectCompletion(answer)).choices[0]?.message.content).toBe(REPLY);
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'ok', cache: 'BYPASS', error: undefined, target: { id: 'openai/gpt-4o-mini' } });
    expect(outcome.attempts).toEqual([{ model: 'openai/gpt-4o-mini', status: 200, ms: expect.any(Number) }]);
    expect(outcome.completion?.choices[0]?.message.content).toBe(REPLY);
    expect(outcome.usage?.total_tokens).toBeGreaterThan(0);
    expect(outcome.usage).toEqual(outcome.completion?.usage);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('stream: ok once the events are read to the end, with the chunks folded into one completion', async () => {
    const pipeline = testPipeline();
    const { body } = chatBody({}, { stream: true });
    const call = pipeline.callModel(callRequest(pipeline, asBody(body), { stream: true }));
    const events = await readAll((await call.answer).events);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 'chunks')).toBe(true);
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'ok', cache: 'BYPASS', error: undefined });
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.completion?.choices[0]?.message.content).toBe(REPLY);
    expect(outcome.completion?.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('the outcome of a call that fails', () => {
  it('upstream 4xx: error, the status and the one attempt, no completion', async () => {
    const pipeline = testPipeline();
    const { id, body } = chatBody({ status: 400 });
    const call = pipeline.callModel(callRequest(pipeline, asBody(body), { fallbacks: ['openai/gpt-4.1-mini'] }));
    const error = await rejection(call.answer);
    expect(error.status).toBe(400);
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({
      status: 'error',
      completion: undefined,
      usage: undefined,
      cache: 'BYPASS',
      target: { id: 'openai/gpt-4o-mini' },
    });
    expect(outcome.error).toBe(error);
    expect(outcome.attempts).toEqual([{ model: 'openai/gpt-4o-mini', status: 400, error: expect.any(String), ms: expect.any(Number) }]);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('retries exhausted on every model: error, with every attempt listed in order', async () => {
    const pipeline = testPipeline();
    const { id, body } = chatBody({ status: 503 });
    const call = pipeline.callModel(
      callRequest(pipeline, asBody(body), { fallbacks: ['openai/gpt-4.1-mini'], policy: { maxAttempts: 2 } }),
    );
    const error = await rejection(call.answer);
    expect(error.status).toBe(503);
    expect(error.headers['x-should-retry']).toBe('false');
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'error', target: { id: 'openai/gpt-4.1-mini' }, completion: undefined });
    expect(outcome.attempts.map((a) => [a.model, a.status])).toEqual([
      ['openai/gpt-4o-mini', 503],
      ['openai/gpt-4o-mini', 503],
      ['openai/gpt-4.1-mini', 503],
      ['openai/gpt-4.1-mini', 503],
    ]);
    expect(pipeline.sleeps).toHaveLength(2);
    expect((await mockCalls(id)).count).toBe(4);
  });

  it('deadline passed while the upstream stalls: a 504 `timeout`, the attempt listed', async () => {
    const pipeline = testPipeline();
    const { id, body } = chatBody({ stall: true });
    const call = pipeline.callModel(callRequest(pipeline, asBody(body), { policy: { timeoutMs: 5000 } }));
    const failed = rejection(call.answer);
    await upstreamSaw(id);
    await pipeline.clock.advance(5000);
    const error = await failed;
    expect(error).toMatchObject({ status: 504, code: 'timeout' });
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'error', error: { status: 504, code: 'timeout' }, target: { id: 'openai/gpt-4o-mini' } });
    expect(outcome.attempts).toEqual([{ model: 'openai/gpt-4o-mini', status: 504, error: 'timeout', ms: 5000 }]);
  });

  it('client gone while the upstream thinks: aborted, and the upstream request is closed', async () => {
    const pipeline = testPipeline();
    const client = new AbortController();
    const { id, body } = chatBody({ stall: true });
    const call = pipeline.callModel(callRequest(pipeline, asBody(body), { signal: client.signal }));
    await upstreamSaw(id);
    client.abort(clientClosed());
    expect((await rejection(call.answer)).code).toBe('client_closed_request');
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'aborted', error: { code: 'client_closed_request' }, completion: undefined });
    expect(outcome.attempts).toHaveLength(1);
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });

  it('client gone mid-stream: aborted, with what was sent so far as the completion', async () => {
    const pipeline = testPipeline();
    const client = new AbortController();
    const { id, body } = chatBody({ stream: { stall_after: 3 } }, { stream: true });
    const call = pipeline.callModel(callRequest(pipeline, asBody(body), { stream: true, signal: client.signal }));
    const reader = (await call.answer).events[Symbol.asyncIterator]();
    expect((await reader.next()).done).toBe(false);
    client.abort(clientClosed());
    await expect(reader.next()).rejects.toMatchObject({ code: 'client_closed_request' });
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'aborted', error: { code: 'client_closed_request' } });
    expect(outcome.completion?.choices).toHaveLength(1);
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });

  it('events abandoned before the first read: the outcome still resolves, aborted, and the upstream request is closed', async () => {
    const pipeline = testPipeline();
    const { id, body } = chatBody({ stream: { stall_after: 3 } }, { stream: true });
    const call = pipeline.callModel(callRequest(pipeline, asBody(body), { stream: true }));
    const answer = await call.answer;
    await answer.events[Symbol.asyncIterator]().return?.();
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ status: 'aborted', completion: undefined, target: { id: 'openai/gpt-4o-mini' } });
    expect(outcome.attempts).toEqual([{ model: 'openai/gpt-4o-mini', status: 200, ms: expect.any(Number) }]);
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });
});

describe('the outcome of a call served by the cache', () => {
  it('hit: HIT, no attempt, zero usage and cost, and no upstream call of its own', async () => {
    const pipeline = testPipeline();
    const { id, body } = chatBody();
    const scope = `pipeline-${crypto.randomUUID()}`;
    const first = pipeline.callModel(callRequest(pipeline, asBody(body), { cacheScope: scope }));
    expect((await first.answer).cache).toBe('MISS');
    expect(await first.outcome).toMatchObject({ status: 'ok', cache: 'MISS', attempts: [{ status: 200 }] });
    await Promise.all(pipeline.background);
    const second = pipeline.callModel(callRequest(pipeline, asBody(body), { cacheScope: scope }));
    const answer = await second.answer;
    expect(answer).toMatchObject({ cache: 'HIT', attempts: [], target: { id: 'openai/gpt-4o-mini' } });
    expect((await collectCompletion(answer)).choices[0]?.message.content).toBe(REPLY);
    const outcome = await second.outcome;
    expect(outcome).toMatchObject({ status: 'ok', cache: 'HIT', attempts: [], error: undefined, cost: { usd: 0 } });
    expect(outcome.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(outcome.completion?.choices[0]?.message.content).toBe(REPLY);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('single-flight joiner: HIT with zero usage and no upstream call; the caller it joined pays (MISS)', async () => {
    let joined!: () => void;
    const someoneJoined = new Promise<void>((resolve) => {
      joined = resolve;
    });
    class WatchedFlights extends SingleFlight<SharedAnswer> {
      override run(key: string, work: () => Promise<SharedAnswer>) {
        const flight = super.run(key, work);
        if (flight.joined) joined();
        return flight;
      }
    }
    const upstream = heldFetch();
    const pipeline = testPipeline({ fetch: upstream.fetch, singleFlight: new WatchedFlights() });
    const { id, body } = chatBody();
    const scope = `pipeline-${crypto.randomUUID()}`;
    const leader = pipeline.callModel(callRequest(pipeline, asBody(body), { cacheScope: scope }));
    await upstream.answered;
    const joiner = pipeline.callModel(callRequest(pipeline, asBody(body), { cacheScope: scope }));
    await someoneJoined;
    upstream.release();
    const [led, shared] = await Promise.all([leader.answer, joiner.answer]);
    expect(led).toMatchObject({ cache: 'MISS', attempts: [{ status: 200 }] });
    expect(shared).toMatchObject({ cache: 'HIT', attempts: [] });
    expect((await collectCompletion(shared)).choices[0]?.message.content).toBe(REPLY);
    const [leaderOutcome, joinerOutcome] = await Promise.all([leader.outcome, joiner.outcome]);
    expect(leaderOutcome).toMatchObject({ status: 'ok', cache: 'MISS', attempts: [{ status: 200 }] });
    expect(leaderOutcome.usage?.total_tokens).toBeGreaterThan(0);
    expect(joinerOutcome).toMatchObject({ status: 'ok', cache: 'HIT', attempts: [], cost: { usd: 0 } });
    expect(joinerOutcome.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect((await mockCalls(id)).count).toBe(1);
  });
});
