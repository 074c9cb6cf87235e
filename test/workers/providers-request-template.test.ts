import OpenAI, { AzureOpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import { adaptRequest } from '../../src/providers/adapt-request.ts';
import { callUpstream } from '../../src/providers/upstream.ts';
import { target } from './support/providers.ts';

// The gateway replays the URL and headers the openai SDK built once per isolate (src/providers/request-template.ts).
// Proof that nothing is lost: for each kind of OpenAI-wire provider, the request the gateway sends equals, header
// for header and byte for byte, the one the SDK's own `create()` sends for the same body.
interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  redirect: string;
}

const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

/** A fetch that records what it was asked to send and answers one completion. */
function recorder(): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const record = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    sent.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
      redirect: request.redirect,
    });
    return Response.json(COMPLETION);
  };
  return { fetch: record as typeof fetch, sent };
}

const CASES: { model: string; env: Record<string, string>; sdk: (fetch: typeof globalThis.fetch) => OpenAI }[] = [
  {
    model: 'openai/gpt-4o-mini',
    env: { OPENAI_API_KEY: 'sk-template-test-0123456789', OPENAI_BASE_URL: 'https://upstream.example/v1' },
    sdk: (fetch) => new OpenAI({ apiKey: 'sk-template-test-0123456789', baseURL: 'https://upstream.example/v1', maxRetries: 0, fetch }),
  },
  {
    model: 'azure/my-deployment',
    env: {
      AZURE_OPENAI_API_KEY: 'azure-template-0123456789',
      AZURE_OPENAI_ENDPOINT: 'https://res.example',
      AZURE_OPENAI_API_VERSION: '2024-10-21',
    },
    sdk: (fetch) =>
      new AzureOpenAI({
        apiKey: 'azure-template-0123456789',
        endpoint: 'https://res.example',
        apiVersion: '2024-10-21',
        maxRetries: 0,
        fetch,
      }),
  },
  {
    model: 'groq/llama-3.1-8b-instant',
    env: { GROQ_API_KEY: 'gsk-template-0123456789', GROQ_BASE_URL: 'https://groq.example/openai/v1' },
    sdk: (fetch) => new OpenAI({ apiKey: 'gsk-template-0123456789', baseURL: 'https://groq.example/openai/v1', maxRetries: 0, fetch }),
  },
];

describe('the upstream request is the one the openai SDK builds', () => {
  for (const { model, env, sdk } of CASES) {
    it(`sends ${model} the SDK's URL, headers and body, on every call`, async () => {
      const t = target(model, env);
      const ours = recorder();
      const body = { model: t.model, messages: [{ role: 'user' as const, content: 'héllo' }], temperature: 0, extra_field: { kept: true } };
      for (let i = 0; i < 2; i++)
        await callUpstream({ target: t, body, stream: false, signal: new AbortController().signal, timeoutMs: 600_000, fetch: ours.fetch });
      const theirs = recorder();
      // The SDK is given the body as the gateway adapts it for this target (e.g. `stream: false` made explicit).
      const adapted = adaptRequest(t, body, false).body;
      await sdk(theirs.fetch)
        .chat.completions.create(adapted as never, { timeout: 600_000 })
        .asResponse();
      expect(ours.sent).toHaveLength(2);
      const expected = theirs.sent[0]!;
      expect(JSON.parse(expected.body)).toMatchObject(body);
      expect(expected.headers['authorization'] ?? expected.headers['api-key']).toMatch(/template/);
      for (const sent of ours.sent) {
        expect(sent).toEqual(expected);
      }
    });
  }
});
