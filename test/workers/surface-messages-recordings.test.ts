import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicClient } from './support/anthropic-client.ts';
import { hasProviders, meta, PROVIDER_ENV, payloads, recording, scenario, sentBodies } from './support/providers.ts';

// Anthropic's real answers (../shared/providers/anthropic-*, replayed by the mock's Messages endpoint) go through
// the whole gateway, Messages in and Messages out, to an anthropic/* model: each request the recording was made
// with is sent as the client sent it, and what the Anthropic SDK gets back must be what Anthropic sent: the same
// blocks (text, thinking with its signature, redacted thinking, tool_use and its input), the same stop reason,
// the same usage with cache reads and writes, and for streams the same sequence of events.

type Json = Record<string, unknown>;

/** What a message is made of, whichever way it was assembled. */
interface Essence {
  blocks: Json[];
  stop_reason: unknown;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
}

const n = (u: Json, k: string) => (typeof u[k] === 'number' ? (u[k] as number) : 0);
const usageOf = (u: Json): Essence['usage'] => ({
  input_tokens: n(u, 'input_tokens'),
  output_tokens: n(u, 'output_tokens'),
  cache_read_input_tokens: n(u, 'cache_read_input_tokens'),
  cache_creation_input_tokens: n(u, 'cache_creation_input_tokens'),
});

/** A block's substance: its kind and what a client reads of it (not bookkeeping such as `citations: null` or `caller`). */
function blockOf(b: Json): Json {
  if (b['type'] === 'text') return { type: 'text', text: b['text'] };
  if (b['type'] === 'thinking') return { type: 'thinking', thinking: b['thinking'], signature: b['signature'] };
  if (b['type'] === 'redacted_thinking') return { type: 'redacted_thinking', data: b['data'] };
  if (b['type'] === 'tool_use') return { type: 'tool_use', id: b['id'], name: b['name'], input: b['input'] };
  return { type: b['type'] };
}

/** Consecutive text blocks as one (the chat wire has one content string per answer). */
function joinText(blocks: Json[]): Json[] {
  const out: Json[] = [];
  for (const b of blocks) {
    const last = out.at(-1);
    if (b['type'] === 'text' && last?.['type'] === 'text') last['text'] = `${String(last['text'])}${String(b['text'])}`;
    else out.push({ ...b });
  }
  return out;
}

const essenceOfMessage = (m: Json): Essence => ({
  blocks: joinText((m['content'] as Json[]).map(blockOf)),
  stop_reason: m['stop_reason'],
  usage: usageOf(m['usage'] as Json),
});

/** A recorded stream folded into its message, as Anthropic's SDK would, and its event types (pings left out). */
function foldStream(events: { event: string | null; data: unknown }[]): { essence: Essence; types: string[] } {
  const content: Json[] = [];
  const partial = new Map<number, string>();
  let usage: Json = {};
  let stop: unknown = null;
  const types: string[] = [];
  for (const { data } of events) {
    const e = data as Json;
    if (e['type'] === 'ping' || typeof e['type'] !== 'string') continue;
    types.push(e['type']);
    const index = Number(e['index']);
    if (e['type'] === 'message_start') usage = { ...((e['message'] as Json)['usage'] as Json) };
    else if (e['type'] === 'content_block_start') content[index] = { ...(e['content_block'] as Json) };
    else if (e['type'] === 'content_block_delta') {
      const d = e['delta'] as Json;
      const block = content[index] as Json;
      if (d['type'] === 'text_delta') block['text'] = `${String(block['text'])}${String(d['text'])}`;
      if (d['type'] === 'thinking_delta') block['thinking'] = `${String(block['thinking'])}${String(d['thinking'])}`;
      if (d['type'] === 'signature_delta') block['signature'] = d['signature'];
      if (d['type'] === 'input_json_delta') partial.set(index, `${partial.get(index) ?? ''}${String(d['partial_json'])}`);
    } else if (e['type'] === 'content_block_stop') {
      const block = content[index] as Json;
      if (block['type'] === 'tool_use') block['input'] = JSON.parse(partial.get(index) || '{}');
    } else if (e['type'] === 'message_delta') {
      stop = (e['delta'] as Json)['stop_reason'];
      for (const [k, v] of Object.entries(e['usage'] as Json)) if (v !== null) usage[k] = v;
    }
  }
  return { essence: { blocks: joinText(content.map(blockOf)), stop_reason: stop, usage: usageOf(usage) }, types };
}

/** Event types with runs of deltas to one block collapsed (the gateway may cut text into other pieces). */
const collapse = (types: string[]) => types.filter((t, i) => t !== 'content_block_delta' || types[i - 1] !== 'content_block_delta');

/** The request a recording was made with, as a client would send it to the gateway, for a scenario model. */
async function recordedRequest(file: string, model: string, stream: boolean): Promise<Anthropic.MessageCreateParams> {
  const recorded = (await meta(file)).request?.body ?? {};
  return { ...recorded, model, stream } as unknown as Anthropic.MessageCreateParams;
}

const NON_STREAM = [
  'text',
  'tool-use',
  'tool-use-cache-creation',
  'parallel-tool-use',
  'thinking',
  'redacted-thinking',
  'cache-creation',
  'cache-read',
  'cache-read-and-creation',
  'stop-max-tokens',
].map((name) => `anthropic-messages-${name}.json`);

// Anthropic's own events go back as they came (surface-messages-native.test.ts checks them byte for byte), so the
// server tool blocks of web-search and stop-sequence's `stop_sequence` come back too.
const STREAM = [
  'web-search',
  'stop-sequence',
  'text',
  'tool-use',
  'tool-use-empty-input',
  'thinking',
  'thinking-tool-use',
  'adaptive-thinking',
  'redacted-thinking',
  'stop-max-tokens',
].map((name) => `anthropic-messages-stream-${name}.sse`);

describe.skipIf(!hasProviders)("Anthropic's recorded answers through /v1/messages to an anthropic/* model", () => {
  const client = () => anthropicClient({ env: PROVIDER_ENV });

  it.each(NON_STREAM)('%s comes back with the same blocks, stop reason and usage', async (file) => {
    const { name } = await scenario({ fixture: file });
    const message = await client().messages.create(await recordedRequest(file, `anthropic/${name}`, false));
    const recorded = JSON.parse(await recording(file)) as Json;
    expect(essenceOfMessage(message as unknown as Json)).toEqual(essenceOfMessage(recorded));
  });

  it.each(STREAM)('%s streams the same events, blocks, stop reason and usage', async (file) => {
    const { name } = await scenario({ fixture: file });
    const stream = client().messages.stream((await recordedRequest(file, `anthropic/${name}`, true)) as Anthropic.MessageStreamParams);
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const message = await stream.finalMessage();
    const recorded = foldStream(payloads(file, await recording(file)));
    expect(collapse(types)).toEqual(collapse(recorded.types));
    expect(essenceOfMessage(message as unknown as Json)).toEqual(recorded.essence);
  });

  it('sends Anthropic its own fields back: cache_control on system, text and tools, thinking and its signed blocks', async () => {
    const { name, id } = await scenario({ fixture: 'anthropic-messages-thinking.json' });
    const signed = { type: 'thinking' as const, thinking: 'Earlier reasoning.', signature: 'sig-abc' };
    await client().messages.create({
      model: `anthropic/${name}`,
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      system: [{ type: 'text', text: 'Stable prefix.', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'First.', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [signed, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', is_error: true }] },
      ],
    });
    const [sent] = await sentBodies(id);
    expect(sent).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 1024 },
      system: [{ type: 'text', text: 'Stable prefix.', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'lookup', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'First.', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [signed, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', is_error: true }] },
      ],
    });
  });
});
