import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, NO_GATEWAY_RETRIES, startGateway } from './support/gateway-server.ts';
import { mockCalls, scenario } from './support/mock-scenario.ts';

// Issue 23, finding 4, end to end: the production build in workerd, over real HTTP on both sides, with the mock as a
// hostile upstream that echoes the provider key it was sent (`echo_key`, mock/echo-key.ts). The workers tests
// (test/workers/security-secrets-hostile-upstream.test.ts) probe every field and split point; these check that
// what a real client reads off the socket, chunk by chunk, never carries the key.

const PROVIDER_KEY = 'sk-e2e-upstream-0000000000';

/** Every string of every SSE `data:` payload joined per JSON path, as a client reassembles a stream. */
function joined(body: string): string {
  const byPath = new Map<string, string>();
  const collect = (value: unknown, path: string): void => {
    if (typeof value === 'string') byPath.set(path, (byPath.get(path) ?? '') + value);
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) collect(v, `${path}.${k}`);
  };
  for (const line of body.split('\n')) if (line.startsWith('data: {')) collect(JSON.parse(line.slice(6)) as unknown, '');
  return [...byPath.values()].join('\n');
}

describe('a hostile upstream that echoes the provider key, through the production build', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway(NO_GATEWAY_RETRIES);
  });
  afterAll(() => gateway.close());

  /** POSTs `body` to `path` for a model whose upstream answers with `directive`; returns everything a client reads. */
  async function probe(path: string, directive: Record<string, unknown>, body: Record<string, unknown>) {
    const { model, id } = await scenario({ echo_key: true, ...directive });
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, ...body }),
    });
    const text = await response.text();
    expect((await mockCalls(id)).count).toBeGreaterThan(0);
    const seen = [[...response.headers].join('\n'), text, joined(text)].join('\n');
    expect(seen.includes(PROVIDER_KEY), `the client received the provider key:\n${seen}`).toBe(false);
    return { response, text };
  }

  const chat = { messages: [{ role: 'user', content: 'hi' }] };

  it('keeps the key out of an error’s type, param, code and retry-after headers', async () => {
    const directive = {
      status: 429,
      body: { error: { message: 'slow down {{key}}', type: '{{key}}', param: '{{key}}', code: '{{key}}' } },
      headers: { 'retry-after': '{{key}}', 'retry-after-ms': '{{key}}' },
    };
    const { response } = await probe('/v1/chat/completions', directive, chat);
    expect(response.status).toBe(429);
  });

  it('keeps the key out of a whole answer’s id, model, system_fingerprint and extra fields', async () => {
    const body = {
      id: '{{key}}',
      object: 'chat.completion',
      created: 1,
      model: '{{key}}',
      system_fingerprint: '{{key}}',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok', reasoning_content: '{{key}}' }, finish_reason: 'stop' }],
      x_extra: { '{{key}}': ['{{key}}'] },
    };
    const { response } = await probe('/v1/chat/completions', { body }, chat);
    expect(response.status).toBe(200);
  });

  it.each([
    ['/v1/chat/completions', { ...chat, stream: true }],
    ['/stream', { prompt: 'hi' }],
  ])('holds back the key split across two upstream reads on %s', async (path, body) => {
    // The mock writes each frame on its own, paced, so the halves arrive in different reads on both hops.
    const { response, text } = await probe(path, { content: 'x {{key}} y', stream: { pieces: 2, chunk_delay_ms: 20 } }, body);
    expect(response.status).toBe(200);
    expect(joined(text)).toContain('x [redacted] y');
  });
});
