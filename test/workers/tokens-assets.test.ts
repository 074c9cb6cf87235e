import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadedEncodings } from '../../src/tokens/encodings.ts';
import { chatBody, KEY } from './support/gateway.ts';

/**
 * The real ASSETS binding, noting each path the gateway reads from it; while `missing.now` is set, every read asks
 * for a path that was never deployed (the real binding answers 404), as a deploy without the build step would.
 */
function watchedAssets() {
  const paths: string[] = [];
  const missing = { now: false };
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    paths.push(url.pathname);
    if (missing.now) url.pathname = `/not-deployed${url.pathname}`;
    return env.ASSETS.fetch(url, init);
  };
  return { assets: { fetch } as unknown as Fetcher, paths, missing };
}

const watched = watchedAssets();
const app = createApp();

async function send(path: string, body: unknown): Promise<Response> {
  const request = new Request(`http://gateway.test${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ASSETS: watched.assets } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const countBody = { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'Hello there' }] };
const O200K = '/_gateway/tokenizer/o200k_base.tiktoken';

// This file's isolate starts with no encoding loaded; its tests run in order.
describe("the tokenizer's rank files, read from the Worker's static assets at the first count", () => {
  it('are not read by a call that counts nothing', async () => {
    const response = await send('/v1/chat/completions', chatBody().body);
    expect(response.status).toBe(200);
    expect(watched.paths).toEqual([]);
  });

  it('missing from the assets: a JSON 500 that names the file and the fix, with x-should-retry: false', async () => {
    watched.missing.now = true;
    const response = await send('/v1/tokens/count', countBody);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-should-retry')).toBe('false');
    const { error } = (await response.json()) as { error: { message: string; type: string; code: string } };
    expect(error).toMatchObject({ type: 'server_error', code: 'gateway_not_configured' });
    expect(error.message).toContain(O200K);
    expect(error.message).toContain('node scripts/tokenizer-assets.mjs');
    expect(watched.paths).toEqual([O200K]);
    expect(loadedEncodings()).toEqual([]);
  });

  it('once deployed, the next count reads the file again and counts: a failed load is not kept', async () => {
    watched.missing.now = false;
    const response = await send('/v1/tokens/count', countBody);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ tokens: 9, estimated: false });
    expect(watched.paths).toEqual([O200K, O200K]);
    expect(loadedEncodings()).toEqual(['o200k_base']);
  });

  it('are read once per isolate: later counts read nothing more, and cl100k_base only for a model that uses it', async () => {
    expect((await send('/v1/tokens/count', countBody)).status).toBe(200);
    expect(watched.paths).toEqual([O200K, O200K]);
    const gpt4 = await send('/v1/tokens/count', { ...countBody, model: 'openai/gpt-4' });
    expect(await gpt4.json()).toMatchObject({ tokens: 9, estimated: false });
    expect(watched.paths).toEqual([O200K, O200K, '/_gateway/tokenizer/cl100k_base.tiktoken']);
  });
});

describe('the Durable Object that runs calls through the gateway (RESUMABLE)', () => {
  it('reads the rank files through its own ASSETS binding, as the Worker does', async () => {
    const stub = env.RESUMABLE.get(env.RESUMABLE.idFromName('rank-files'));
    const status = await runInDurableObject(stub, async (instance) => {
      // A Durable Object gets its Worker's bindings: the env the object hands the gateway has ASSETS.
      const objectEnv = (instance as unknown as { env: Env }).env;
      const response = await objectEnv.ASSETS.fetch(`https://assets.invalid${O200K}`);
      await response.body?.cancel();
      return response.status;
    });
    expect(status).toBe(200);
  });
});
