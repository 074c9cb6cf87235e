import { describe, expect, it } from 'vitest';
import { openaiClient } from './support/openai-client.ts';
import { sseEvents } from './support/gateway.ts';
import { hasProviders, meta, PROVIDER_ENV, payloads, recording, scenario as providerScenario } from './support/providers.ts';
import { translatedCall as call, translatedScenario as scenario } from './support/translated.ts';

// OpenAI's real Responses streams (../shared/providers/openai-responses-stream-*.sse) set the standard for the
// gateway's stream encoder: the request each was recorded with is sent to the gateway as it was (to a provider it
// translates to: OpenAI's own are passed through, surface-responses-native.test.ts), the mock upstream answers the same text or call with the same usage through chat completions, and the events the
// gateway sends must be the recording's: the same types in the same order, each with the recording's fields
// (plus `sequence_number`, which the API has sent since the recording was made), and the same final response.

type Json = Record<string, unknown>;

/** The parts of a final response a client reads: its output items' substance and its usage. */
function essence(response: Json): Json {
  const output = (response['output'] as Json[]).map((item) =>
    item['type'] === 'message'
      ? { type: 'message', role: item['role'], status: item['status'], content: item['content'] }
      : { type: item['type'], call_id: item['call_id'], name: item['name'], arguments: item['arguments'], status: item['status'] },
  );
  return { status: response['status'], output, usage: response['usage'] };
}

/** The keys of an event, with those of its `response` or `item` (so a missing nested field shows too). */
function shape(event: Json): string[] {
  const keys = Object.keys(event).filter((k) => k !== 'sequence_number');
  for (const nested of ['response', 'item', 'part'])
    if (typeof event[nested] === 'object' && event[nested] !== null)
      keys.push(...Object.keys(event[nested] as Json).map((k) => `${nested}.${k}`));
  return keys.sort();
}

const CASES = [
  {
    file: 'openai-responses-stream-text.sse',
    // 7 text deltas, as the recording has.
    directive: { content: 'The capital of France is Paris.', usage: { prompt_tokens: 278, completion_tokens: 9 }, stream: { pieces: 7 } },
  },
  {
    file: 'openai-responses-stream-function-call.sse',
    // `{"country":"France"}` in 5 fragments of 4 characters, as the recording has.
    directive: {
      tool_calls: [{ id: 'call_kL0PCQV7M2WMoVX8V8OtYSAL', name: 'get_capital', arguments: '{"country":"France"}' }],
      usage: { prompt_tokens: 255, completion_tokens: 16 },
      stream: { fragment: 4 },
    },
  },
];

describe.skipIf(!hasProviders)("OpenAI's recorded Responses streams, reproduced by /v1/responses over chat completions", () => {
  for (const { file, directive } of CASES)
    it(`sends the events of ${file}: same types, same order, same fields, same final response`, async () => {
      const recorded = payloads(file, await recording(file)).map((p) => p.data as Json);
      const request = (await meta(file)).request?.body as Json;
      const { model } = await scenario(directive);
      const response = await call('/v1/responses', { json: { ...request, model } });
      expect(response.status).toBe(200);
      const sent = sseEvents(await response.text()).map((e) => JSON.parse(e.data) as Json);

      expect(sent.map((e) => e['type'])).toEqual(recorded.map((e) => e['type']));
      sent.forEach((event, i) => {
        const fields = shape(event);
        for (const field of shape(recorded[i] as Json).filter((f) => f !== 'response.reasoning'))
          expect(fields, `${String(event['type'])} #${i}`).toContain(field);
      });
      expect(sent.map((e) => e['sequence_number'])).toEqual(sent.map((_, i) => i));

      // Deltas add up to what the recording said, and the final response holds the same items and usage.
      const final = sent.at(-1)?.['response'] as Json;
      expect(essence(final)).toEqual(essence(recorded.at(-1)?.['response'] as Json));
      for (const [i, event] of sent.entries()) {
        const twin = recorded[i] as Json;
        // (Where deltas split is the upstream's business: their sum is checked by the done events.)
        for (const key of ['text', 'arguments', 'output_index', 'content_index'])
          if (key in twin) expect(event[key], `${String(event['type'])}.${key}`).toEqual(twin[key]);
      }
      // Item ids hold across an item's events, as in the recording.
      const itemIds = new Set(sent.filter((e) => 'item_id' in e).map((e) => e['item_id']));
      expect(itemIds.size).toBe(1);
      expect([...itemIds][0]).toBe(((sent[2] as Json)['item'] as Json)['id']);
    });
});

describe.skipIf(!hasProviders)("DeepSeek's recorded reasoning through /v1/responses", () => {
  it('answers reasoning text as a reasoning item before the message, with its reasoning tokens', async () => {
    const recorded = JSON.parse(await recording('deepseek-chat-reasoning.json')) as {
      choices: { message: { content: string; reasoning_content: string } }[];
    };
    const { name } = await providerScenario({ fixture: 'deepseek-chat-reasoning.json' });
    const answer = await openaiClient({ env: PROVIDER_ENV }).responses.create({
      model: `deepseek/${name}`,
      input: 'How do I cross the street?',
    });
    const message = recorded.choices[0]?.message;
    expect(answer.output).toMatchObject([
      { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: message?.reasoning_content }] },
      { type: 'message', content: [{ type: 'output_text', text: message?.content }] },
    ]);
    expect(answer.output_text).toBe(message?.content);
    expect(answer.usage).toMatchObject({ input_tokens: 12, output_tokens: 789, output_tokens_details: { reasoning_tokens: 415 } });
  });

  it('streams reasoning text as reasoning_text deltas in a reasoning item, then the message', async () => {
    const frames = payloads('deepseek-chat-stream-reasoning.sse', await recording('deepseek-chat-stream-reasoning.sse'));
    const deltas = frames.map((f) => ((f.data as { choices?: { delta?: Json }[] }).choices?.[0]?.delta ?? {}) as Json);
    const joined = (key: string) => deltas.map((d) => (typeof d[key] === 'string' ? d[key] : '')).join('');
    const { name } = await providerScenario({ fixture: 'deepseek-chat-stream-reasoning.sse' });
    const stream = openaiClient({ env: PROVIDER_ENV }).responses.stream({ model: `deepseek/${name}`, input: 'Think first' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.filter((t, i) => t !== types[i - 1])).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const final = await stream.finalResponse();
    expect(final.output).toMatchObject([
      { type: 'reasoning', content: [{ type: 'reasoning_text', text: joined('reasoning_content') }] },
      { type: 'message', content: [{ type: 'output_text', text: joined('content') }] },
    ]);
  });
});
