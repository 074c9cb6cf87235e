import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway } from './support/gateway-server.ts';
import { scenario } from './support/mock-scenario.ts';

interface SseEvent {
  event: string;
  data: string;
}

/**
 * Runs `curl -N -s …args`, collecting its SSE events and its exit code; stops curl once a burst of bytes brought an
 * event `stopAt` accepts (every event of that burst is kept).
 */
function curlSse(
  args: string[],
  stopAt?: (event: SseEvent) => boolean,
): Promise<{ events: SseEvent[]; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-N', '-s', '--max-time', '30', ...args]);
    const events: SseEvent[] = [];
    let buffer = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      buffer += text;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        // Comment blocks (`: ping`, `: x-gateway-cost-usd …`) are not events, as in every SSE client.
        if (block.startsWith(':')) continue;
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
        events.push({ event, data });
      }
      if (stopAt && events.some(stopAt)) child.kill();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ events, code, stderr }));
  });
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;
if (!hasCurl) process.stderr.write('[tests] curl is not installed: the curl end-to-end tests are skipped (apt-get install -y curl).\n');

// `curl -N` (no buffering) against the gateway's streaming routes, as the README's "Try it" shows.
describe.skipIf(!hasCurl)('curl -N against the running gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway?.close());

  it('GET /stream delivers delta events, then usage and done', async () => {
    const { model } = await scenario({ content: 'one two three four five six seven eight' });
    const url = `${gateway.url}/stream?prompt=${encodeURIComponent('Count slowly')}&model=${encodeURIComponent(model)}`;
    const { events, code } = await curlSse(['-H', `authorization: Bearer ${GATEWAY_KEY}`, url]);
    expect(code).toBe(0);
    const deltas = events.filter((e) => e.event === 'delta');
    expect(deltas.map((e) => (JSON.parse(e.data) as { content: string }).content).join('')).toBe('one two three four five six seven eight');
    expect(events.map((e) => e.event).slice(-2)).toEqual(['usage', 'done']);
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toEqual({ finish_reason: 'stop', model });
  });

  it('GET /stream delivers the first delta while the upstream still holds the rest (nothing buffered)', async () => {
    // The upstream sends its first frames, then never another: only an unbuffered gateway lets curl see a delta before
    // the stream ends (a buffering one would send it with the end, at its deadline). Counted in events, not timed.
    const { model } = await scenario({ content: 'one two three four five six seven eight', stream: { stall_after: 3 } });
    const url = `${gateway.url}/stream?prompt=${encodeURIComponent('Count slowly')}&model=${encodeURIComponent(model)}`;
    const { events } = await curlSse(['-H', `authorization: Bearer ${GATEWAY_KEY}`, url], (e) => e.event === 'delta');
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(0);
    expect(events.filter((e) => ['usage', 'done', 'error'].includes(e.event))).toEqual([]);
  });

  it('GET /stream accepts the key as ?access_token= (what EventSource has to do)', async () => {
    const url = `${gateway.url}/stream?prompt=Hi&access_token=${GATEWAY_KEY}`;
    const { events } = await curlSse([url]);
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toBe('done');
  });

  it('GET /stream without a key ends with a 401 JSON error, not a stream', async () => {
    const child = spawn('curl', ['-s', '-w', '\n%{http_code}', `${gateway.url}/stream?prompt=Hi`]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    const [body, status] = out.split('\n');
    expect(status).toBe('401');
    expect(JSON.parse(body ?? '{}')).toMatchObject({ error: { code: 'missing_api_key' } });
  });

  it('POST /stream with a JSON body streams the same events', async () => {
    const { events } = await curlSse([
      `${gateway.url}/stream`,
      '-H',
      `authorization: Bearer ${GATEWAY_KEY}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify({ prompt: 'Hello curl' }),
    ]);
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => (JSON.parse(e.data) as { content: string }).content)
      .join('');
    expect(text).toBe('Hello from the mock upstream. You said: Hello curl');
    expect(events.at(-1)?.event).toBe('done');
  });

  it('POST /v1/chat/completions with stream: true sends OpenAI chunks ending in [DONE]', async () => {
    const body = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello raw SSE' }],
      stream: true,
      stream_options: { include_usage: true },
    };
    const { events } = await curlSse([
      `${gateway.url}/v1/chat/completions`,
      '-H',
      `authorization: Bearer ${GATEWAY_KEY}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify(body),
    ]);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.data) as { object: string; choices: { delta: { content?: string } }[]; usage?: { total_tokens: number } });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the mock upstream. You said: Hello raw SSE');
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });
});
