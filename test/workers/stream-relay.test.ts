import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import { call, scriptedApp, settled, sseEvents, UPSTREAM_KEY } from './support/gateway.ts';
import { joinedStreamStrings } from './support/secret-recorder.ts';
import { watchLogLines } from './support/log-lines.ts';

// The relay path (RELAY_PROVIDERS): a relayed provider's stream frames that need no change reach the client as the
// bytes the provider sent, while usage, cost, budgets, secret scrubbing, the idle timeout and the error events hold as
// on the re-encoding path. The upstream is a scripted fetch whose body arrives in exactly the reads a test gives, so
// which bytes travel together is known; the frames pad their JSON with spaces, which the gateway's own encoding never
// does, so a byte-for-byte match shows the relay was taken.

const RELAY = { RELAY_PROVIDERS: 'openai' };
const head = { id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', system_fingerprint: 'fp_r' };
/** One `data:` frame, its JSON padded with spaces as some providers write it. */
const frame = (payload: object) => `data: ${JSON.stringify(payload, null, 1).replace(/\n */g, ' ')}\n\n`;
const delta = (d: object, finish: string | null = null) =>
  frame({ ...head, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
const usageFrame = (prompt: number, completion: number) =>
  frame({ ...head, choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });
const DONE = 'data: [DONE]\n\n';
const ANSWER = [delta({ role: 'assistant', content: '' }), delta({ content: 'Hel' }), delta({ content: 'lo' }), delta({}, 'stop')];

/** An upstream whose stream body arrives in exactly these reads; with `hang`, it stays open and silent after them. */
function upstream(reads: readonly string[], hang = false): typeof fetch {
  return async (_input, init) => {
    const bytes = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          init?.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
        },
        pull(controller) {
          if (i < reads.length) controller.enqueue(bytes.encode(reads[i++]));
          else if (!hang) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
}

const ask = (extra: Record<string, unknown> = {}) => ({
  model: 'openai/gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello' }],
  stream: true,
  ...extra,
});

/** A streamed chat completion through an app whose upstream sends `reads`; the whole text the client got. */
async function streamed(reads: readonly string[], env: Record<string, string>, extra: Record<string, unknown> = {}) {
  const { app } = scriptedApp({ fetch: upstream(reads) });
  const response = await call('/v1/chat/completions', { json: ask(extra), app, env });
  const text = await response.text();
  await settled(response);
  return { response, text };
}

const { logLineOf } = watchLogLines();

describe('a relayed provider (RELAY_PROVIDERS)', () => {
  it("sends the provider's frames as the bytes it sent, then the gateway's own [DONE]", async () => {
    const { response, text } = await streamed([...ANSWER, DONE], RELAY);
    expect(response.status).toBe(200);
    expect(text).toBe(ANSWER.join('') + DONE);
  });

  it('is not taken for a provider the variable does not name: the same frames are re-encoded', async () => {
    const relayed = await streamed([...ANSWER, DONE], RELAY);
    const encoded = await streamed([...ANSWER, DONE], {});
    expect(encoded.text).not.toBe(relayed.text);
    expect(sseEvents(encoded.text).map((e) => JSON.parse(e.data === '[DONE]' ? 'null' : e.data))).toEqual(
      sseEvents(relayed.text).map((e) => JSON.parse(e.data === '[DONE]' ? 'null' : e.data)),
    );
  });

  it('still normalises a read whose frame needs it, while the reads that need nothing go out as they came', async () => {
    const odd = frame({ ...head, choices: [{ index: 0, delta: { content: '!' }, finish_reason: 'end_turn' }] });
    const { text } = await streamed([ANSWER[0]!, ANSWER[1]!, odd, DONE], RELAY);
    expect(text.startsWith(ANSWER[0]! + ANSWER[1]!)).toBe(true);
    const last = JSON.parse(sseEvents(text).at(-2)!.data) as { choices: { finish_reason: string; logprobs: unknown }[] };
    expect(last.choices[0]?.finish_reason).toBe('stop');
  });

  it("gives a client that asked for usage the provider's usage frame and the cost; the log line has both either way", async () => {
    const reads = [...ANSWER, usageFrame(5, 2), DONE];
    const asked = await streamed(reads, RELAY, { stream_options: { include_usage: true } });
    expect(asked.text).toContain(usageFrame(5, 2));
    expect(asked.text).toMatch(/\n: x-gateway-cost-usd [0-9.e-]+\n\ndata: \[DONE\]\n\n$/);
    expect(logLineOf(asked.response)).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 });
    expect(logLineOf(asked.response)['cost_usd']).toBeGreaterThan(0);

    const unasked = await streamed(reads, RELAY);
    expect(unasked.text).toBe(ANSWER.join('') + DONE);
    expect(logLineOf(unasked.response)).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 });
  });

  it.each([1, 9, UPSTREAM_KEY.length - 1])('never lets a secret split across two reads (at %i) reach the client', async (at) => {
    const reads = [
      ANSWER[0]!,
      delta({ content: `key: ${UPSTREAM_KEY.slice(0, at)}` }),
      delta({ content: `${UPSTREAM_KEY.slice(at)} end` }),
      delta({}, 'stop'),
      DONE,
    ];
    const { text } = await streamed(reads, RELAY);
    expect(text.includes(UPSTREAM_KEY)).toBe(false);
    expect(joinedStreamStrings(text).includes(UPSTREAM_KEY)).toBe(false);
    expect(joinedStreamStrings(text)).toContain('key: [redacted] end');
  });

  it('ends with an error event, and no [DONE], when the provider ends the body before the answer finished', async () => {
    const { text } = await streamed(ANSWER.slice(0, 3), RELAY);
    const events = sseEvents(text);
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    expect(JSON.parse(events.at(-1)!.data).error.code).toBe('upstream_stream_cut');
    expect(text.startsWith(ANSWER.slice(0, 3).join(''))).toBe(true);
  });

  it('ends with an idle-timeout error event when the provider goes silent mid-stream', async () => {
    const clock = new FakeClock();
    const { app } = scriptedApp({ clock, fetch: upstream(ANSWER.slice(0, 2), true) });
    const response = await call('/v1/chat/completions', { json: ask(), app, env: { ...RELAY, STREAM_IDLE_TIMEOUT_MS: '300' } });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(ANSWER[1]!)) text += (await reader.read()).value ?? '';
    let ended = false;
    const rest = (async () => {
      for (let step = await reader.read(); !step.done; step = await reader.read()) text += step.value;
      ended = true;
    })();
    while (!ended) await clock.advance(300);
    await rest;
    expect(text.startsWith(ANSWER.slice(0, 2).join(''))).toBe(true);
    const events = sseEvents(text);
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    expect(JSON.parse(events.at(-1)!.data).error.code).toBe('stream_idle_timeout');
  });

  it.each([
    ['an unknown provider', 'openai,skynet', 'unknown provider "skynet"'],
    ["a provider on Anthropic's wire", 'anthropic', "Anthropic's wire"],
  ])('is a 500 config_error naming RELAY_PROVIDERS for %s', async (_what, value, says) => {
    const response = await call('/v1/models', { env: { RELAY_PROVIDERS: value } });
    expect(response.status).toBe(500);
    const { error } = await response.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('config_error');
    expect(error.message).toContain('RELAY_PROVIDERS');
    expect(error.message).toContain(says);
  });

  it("settles a managed key's dollar budget once, to the cost of the usage the provider reported", async () => {
    const ADMIN_TOKEN = 'adm-relay-test-token-0123456789';
    // $1 per token each way: 5 prompt and 2 completion tokens cost $7.
    const env = { ...RELAY, ADMIN_TOKEN, MODEL_PRICES: JSON.stringify({ 'openai/gpt-4o-mini': { input: 1_000_000, output: 1_000_000 } }) };
    const created = await call('/admin/keys', { key: ADMIN_TOKEN, json: { name: 'relay', usd_per_day: 1000 }, env });
    const { key } = await created.json<{ key: string }>();
    const { app } = scriptedApp({ fetch: upstream([...ANSWER, usageFrame(5, 2), DONE]) });
    const response = await call('/v1/chat/completions', { key, json: ask({ max_tokens: 10 }), app, env });
    expect(await response.text()).toBe(ANSWER.join('') + DONE);
    await settled(response);
    const usage = await (await call('/v1/usage', { key, env })).json<{ day: { requests: number; usd: number } }>();
    expect(usage.day.requests).toBe(1);
    expect(usage.day.usd).toBeCloseTo(7, 9);
  });
});
