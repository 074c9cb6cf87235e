import { env } from 'cloudflare:workers';
import { parseConfig } from '../../../src/config/config.ts';
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from '../../../src/core/types.ts';
import { resolveModel } from '../../../src/providers/resolve-model.ts';
import type { Target } from '../../../src/providers/target.ts';
import { callUpstream } from '../../../src/providers/upstream.ts';
import { inject } from 'vitest';
import '../../provided-context.ts';

/** Where the mock serves ../shared/providers (its recordings and call log). */
export const PROVIDERS_URL = `${inject('mockUrl')}/providers`;

/** Whether ../shared/providers is there (the mock serves its SOURCES.md); tests that replay it skip otherwise. */
export const hasProviders = (await fetch(`${PROVIDERS_URL}/__mock/fixtures/SOURCES.md`)).ok;
if (!hasProviders) console.warn('[tests] ../shared/providers not found: the provider recording tests are skipped.');

/** Every built-in provider pointed at the mock's recordings, with a key set. */
export const PROVIDER_ENV: Record<string, string> = {
  GEMINI_BASE_URL: `${PROVIDERS_URL}/v1`,
  GEMINI_API_KEY: 'gm-test-key-0123456789',
  MISTRAL_BASE_URL: `${PROVIDERS_URL}/v1`,
  MISTRAL_API_KEY: 'ms-test-key-0123456789',
  DEEPSEEK_BASE_URL: `${PROVIDERS_URL}/v1`,
  DEEPSEEK_API_KEY: 'ds-test-key-0123456789',
  XAI_BASE_URL: `${PROVIDERS_URL}/v1`,
  XAI_API_KEY: 'xai-test-key-0123456789',
  CEREBRAS_BASE_URL: `${PROVIDERS_URL}/v1`,
  CEREBRAS_API_KEY: 'cb-test-key-0123456789',
  GROQ_BASE_URL: `${PROVIDERS_URL}/v1`,
  GROQ_API_KEY: 'gsk-test-key-0123456789',
  OPENROUTER_BASE_URL: `${PROVIDERS_URL}/v1`,
  OPENROUTER_API_KEY: 'or-test-key-0123456789',
  ANTHROPIC_BASE_URL: PROVIDERS_URL,
  ANTHROPIC_COMPAT_BASE_URL: `${PROVIDERS_URL}/v1`,
  ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789',
};

/** The target a model name resolves to with PROVIDER_ENV (and any extra vars). */
export function target(model: string, extra: Record<string, string> = {}): Target {
  return resolveModel(model, parseConfig({ ...env, ...PROVIDER_ENV, ...extra }));
}

/** One upstream attempt, as the pipeline makes it: the stream's chunks, or the completion. */
export async function attempt(
  t: Target,
  body: Omit<ChatBody, 'messages'> & { messages?: unknown[] },
  stream: boolean,
): Promise<{ chunks: ChatCompletionChunk[]; completion: ChatCompletion | undefined }> {
  const answer = await callUpstream({
    target: t,
    body: { messages: [{ role: 'user', content: 'replay' }], ...body },
    stream,
    signal: new AbortController().signal,
    timeoutMs: 10_000,
    fetch: (input, init) => fetch(input, init),
  });
  if (answer.kind === 'completion') return { chunks: [], completion: answer.completion };
  const chunks: ChatCompletionChunk[] = [];
  for await (const batch of answer.chunks) chunks.push(...structuredClone(batch));
  return { chunks, completion: undefined };
}

/** The same attempt, resolving to the error it failed with. */
export async function failure(t: Target, body: Record<string, unknown>, stream: boolean): Promise<unknown> {
  return attempt(t, body, stream).then(
    () => new Error('expected the attempt to fail'),
    (error: unknown) => error,
  );
}

/** Registers a mock directive for a fresh model name in the providers scope; returns the name and its call-log id. */
export async function scenario(directive: Record<string, unknown>): Promise<{ name: string; id: string }> {
  const id = crypto.randomUUID();
  const name = `scenario-${id}`;
  const response = await fetch(`${PROVIDERS_URL}/__mock/scenarios/${name}`, { method: 'PUT', body: JSON.stringify({ id, ...directive }) });
  if (!response.ok) throw new Error(`could not register scenario: ${await response.text()}`);
  return { name, id };
}

/** The request bodies the mock received for a scenario id. */
export async function sentBodies(id: string): Promise<Record<string, unknown>[]> {
  const report = await (await fetch(`${PROVIDERS_URL}/__mock/calls/${id}`)).json<{ requests: { body: Record<string, unknown> }[] }>();
  return report.requests.map((r) => r.body);
}

/** A recording's raw text, and its .meta.json. */
export async function recording(name: string): Promise<string> {
  const r = await fetch(`${PROVIDERS_URL}/__mock/fixtures/${name}`);
  if (!r.ok) throw new Error(`recording ${name} not served (${r.status})`);
  return new TextDecoder().decode(await r.arrayBuffer());
}

export interface Meta {
  request?: { body?: Record<string, unknown> };
  response?: { status?: number; headers?: Record<string, string> };
}

export async function meta(name: string): Promise<Meta> {
  return JSON.parse(await recording(`${name}.meta.json`)) as Meta;
}

/** The `data:` payloads of a recorded body: SSE frames (any line ending, padding kept) or one JSON per line. */
export function payloads(name: string, text: string): { event: string | null; data: unknown }[] {
  if (name.endsWith('.chunks.jsonl'))
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => ({ event: null, data: JSON.parse(l) }));
  return text
    .split(/\r?\n\r?\n/)
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? null;
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      return { event, data };
    })
    .filter((p) => p.data !== '' && p.data !== '[DONE]')
    .map((p) => ({ event: p.event, data: JSON.parse(p.data) as unknown }));
}
