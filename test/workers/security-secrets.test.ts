import { describe, expect, it } from 'vitest';
import { call, chatBody, KEY, mockCalls, UPSTREAM_KEY } from './support/gateway.ts';
import { recorder } from './support/secret-recorder.ts';

// Issue 9, "secrets never echo": upstream text that repeats a configured secret (a provider's "Incorrect API
// key provided: sk-…", a model that repeats what it was told) is scrubbed before it reaches a response or a
// log line. The suite-wide scan (support/secret-scan.ts) would catch a leak too; these tests make each one
// explicit, and check what a client reassembles from a stream, which no per-chunk scan sees.

const OTHER_KEY = 'gw-test-key-2';
const ADMIN_TOKEN = 'admin-secret-token-0123456789';
const SECRETS = [UPSTREAM_KEY, KEY, OTHER_KEY, ADMIN_TOKEN];
const ENV = { ADMIN_TOKEN };

/** Console lines recorded from `mark` on (the gateway's log line among them). */
const linesSince = (mark: number) =>
  recorder()
    .outputs.slice(mark)
    .filter((o) => o.where.startsWith('console.'))
    .map((o) => o.text.join(' '))
    .join('\n');

const expectNoSecret = (text: string, what: string) => {
  for (const secret of SECRETS) expect(text.includes(secret), `${what} contains ${secret}`).toBe(false);
};

/** The content a client reassembles from a chat-completions stream. */
const streamedContent = (sse: string) =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => (JSON.parse(l.slice(6)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
    .join('');

describe('configured secrets in upstream text', () => {
  it('scrubs the provider key an upstream 401 repeats, from the error and the log line', async () => {
    const mark = recorder().outputs.length;
    const { id, body } = chatBody({
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${UPSTREAM_KEY}. Also seen: ${OTHER_KEY}, ${ADMIN_TOKEN}.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    });
    const response = await call('/v1/chat/completions', { json: body, env: ENV });
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await mockCalls(id)).count).toBeGreaterThan(0);
    expectNoSecret(text, 'the error body');
    expectNoSecret([...response.headers].join('\n'), 'the response headers');
    expectNoSecret(linesSince(mark), 'the log lines');
  });

  it('scrubs secrets from an upstream 500 that names them in its body, through the retries', async () => {
    const mark = recorder().outputs.length;
    const { body } = chatBody({
      status: 500,
      body: { error: { message: `upstream config dump: key=${UPSTREAM_KEY}`, type: 'server_error', param: null, code: null } },
    });
    const response = await call('/v1/chat/completions', { json: body, env: { ...ENV, MAX_ATTEMPTS: '1' } });
    expectNoSecret(await response.text(), 'the error body');
    expectNoSecret(linesSince(mark), 'the log lines');
  });

  it('scrubs a secret a model repeats in a non-stream answer', async () => {
    const mark = recorder().outputs.length;
    const { body } = chatBody({ content: `The key you gave me is ${OTHER_KEY} and the provider key is ${UPSTREAM_KEY}.` });
    const response = await call('/v1/chat/completions', { json: body, env: ENV });
    expect(response.status).toBe(200);
    expectNoSecret(await response.text(), 'the answer');
    expectNoSecret(linesSince(mark), 'the log lines');
  });

  it('scrubs a secret a model repeats across stream chunks, as the client reassembles it', async () => {
    const { body } = chatBody({ content: `The key is ${OTHER_KEY}, again ${UPSTREAM_KEY}.`, stream: { pieces: 40 } }, { stream: true });
    const response = await call('/v1/chat/completions', { json: body, env: ENV });
    expect(response.status).toBe(200);
    const sse = await response.text();
    expect(streamedContent(sse).length).toBeGreaterThan(10);
    expectNoSecret(sse, 'the raw stream');
    expectNoSecret(streamedContent(sse), 'the reassembled stream content');
  });
});
