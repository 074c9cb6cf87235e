import { describe, expect, it } from 'vitest';
import { unknownRouteMessage } from '../../src/http/unknown-route.ts';
import { call } from './support/gateway.ts';

describe('unknownRouteMessage', () => {
  it('names the one embeddings route under /v1/embeddings (served since issue 21)', () => {
    const text = unknownRouteMessage('POST', '/v1/embeddings/batch');
    expect(text).toMatch(/^Unknown route POST \/v1\/embeddings\/batch: embeddings are served at exactly POST \/v1\/embeddings/);
    expect(text).not.toContain('Responses');
  });

  it('names the Messages API routes it serves under /v1/messages (they are served since issue 21)', () => {
    const text = unknownRouteMessage('POST', '/v1/messages/batches');
    expect(text).toContain("Anthropic's Messages API");
    expect(text).toContain('POST /v1/messages and POST /v1/messages/count_tokens');
    expect(text).toContain('without /v1');
  });

  it('calls /v1/completions the legacy Completions API and shows the messages to send instead', () => {
    const text = unknownRouteMessage('POST', '/v1/completions');
    expect(text).toContain('legacy Completions API');
    expect(text).toContain('"messages"');
  });

  it('names the Responses API routes it serves (since issue 21): create, and retrieve, delete and input items of stored responses', () => {
    for (const [method, path] of [
      ['POST', '/v1/responses/resp_123/cancel'],
      ['GET', '/v1/responses/resp_123/output_items'],
    ] as const) {
      const text = unknownRouteMessage(method, path);
      expect(text).toContain(`Unknown route ${method} ${path}`);
      expect(text).toContain("OpenAI's Responses API");
      expect(text).toContain('serves POST /v1/responses');
      expect(text).toContain('GET or DELETE /v1/responses/<id>');
      expect(text).toContain('nothing runs in the background to cancel');
    }
  });

  it('says how a model is described when GET /v1/models/… is not one, and points at the list', () => {
    const text = unknownRouteMessage('GET', '/v1/models/a/b/c');
    expect(text).toContain('Unknown route GET /v1/models/a/b/c');
    expect(text).toContain('GET /v1/models/<provider>/<model>');
    expect(text).toContain('GET /v1/models lists');
  });

  it('lists the /v1 routes for anything else under /v1, and every route outside it', () => {
    expect(unknownRouteMessage('POST', '/v1/images/generations')).toBe(
      "Unknown route POST /v1/images/generations. Under /v1 this gateway speaks OpenAI's Chat Completions API (POST /v1/chat/completions, GET /v1/models); docs/routes.md lists every route.",
    );
    const outside = unknownRouteMessage('GET', '/nope');
    expect(outside).toMatch(/^Unknown route GET \/nope\. The gateway's main routes: /);
    expect(outside).toContain('POST /extract');
  });

  it('catches a base URL without /v1, or with /v1 twice', () => {
    expect(unknownRouteMessage('POST', '/chat/completions')).toContain('base URL to https://<gateway>/v1');
    expect(unknownRouteMessage('POST', '/v1/v1/chat/completions')).toContain('/v1 once');
  });

  it('gives six distinct texts for six kinds of miss', () => {
    const texts = [
      ['POST', '/v1/embeddings/batch'],
      ['POST', '/v1/messages/batches'],
      ['POST', '/v1/completions'],
      ['POST', '/v1/responses/resp_1/cancel'],
      ['GET', '/v1/models/x'],
      ['POST', '/v1/x'],
    ].map(([m, p]) => unknownRouteMessage(m ?? '', p ?? '').replace(/^Unknown route \S+ \S+?[:.]/, ''));
    expect(new Set(texts).size).toBe(6);
  });

  it('cuts a very long path', () => {
    expect(unknownRouteMessage('GET', `/${'a'.repeat(5000)}`).length).toBeLessThan(500);
  });
});

// Through the app: these pass once the lead renders unknownRouteMessage in the 404.
describe('a 404 through the gateway', () => {
  it.each([
    ['POST', '/v1/embeddings/batch', 'served at exactly POST /v1/embeddings'],
    ['POST', '/v1/messages/batches', "Anthropic's Messages API"],
    ['POST', '/v1/completions', 'legacy Completions API'],
    ['POST', '/v1/responses/resp_123/cancel', 'serves POST /v1/responses'],
    ['GET', '/v1/models/a/b/c', 'GET /v1/models lists'],
  ])('%s %s says what was asked and what is served', async (method, path, text) => {
    const response = await call(path, { method, ...(method === 'POST' ? { json: {} } : {}) });
    expect(response.status).toBe(404);
    const { error } = await response.json<{ error: { message: string; code: string } }>();
    expect(error.code).toBe('unknown_route');
    expect(error.message).toContain(`Unknown route ${method} ${path}`);
    expect(error.message).toContain(text);
  });
});
