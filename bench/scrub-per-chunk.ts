// `npx node bench/scrub-per-chunk.ts [--chunks 200000] [--rounds 7] [--compare path/to/other/scrub-stage.ts]`
// What the scrub stage (src/gateway/scrub-stage.ts) costs per streamed chunk, in this process's CPU time: a
// stream of typical OpenAI deltas (one chunk per batch, as workerd reads them) goes through the stage with a
// deployment's usual secrets, and through no stage for the floor; the difference is the scrub's own cost per
// chunk, beside what one JSON.stringify of the same chunk costs (the encoder does that for every chunk anyway),
// as a yardstick that does not depend on the machine. Medians of `rounds`, in nanoseconds. `--compare` times
// another version of the stage in the same rounds (e.g. an older commit's, with its imports beside it).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChatCompletionChunk } from '../src/core/types.ts';
import { scrubStage } from '../src/gateway/scrub-stage.ts';
import type { Call, CallRequest, GatewayEvent, Stage } from '../src/gateway/types.ts';

const { values: args } = parseArgs({
  options: { chunks: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '7' }, compare: { type: 'string' } },
});
const chunks = Number(args.chunks);
const rounds = Number(args.rounds);

const random = (n: number) =>
  Array.from({ length: n }, (_, i) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[(i * 7919) % 62]).join('');
// A deployment's usual secrets: an OpenAI project key, an Anthropic key, two gateway keys and the admin token.
const SECRETS = [`sk-proj-${random(156)}`, `sk-ant-api03-${random(95)}`, `gw_${random(40)}`, `gw_${random(41)}`, random(32)];

// Words of ordinary English with their leading spaces, as OpenAI streams them (about 1 in 8 ends in "s", which starts a key).
const WORDS =
  ' The answer is that streams of tokens arrive as small deltas, usually one word each, and the gateway forwards them as they come'.match(
    /\s*\S+/g,
  ) ?? [];
const chunkAt = (i: number): ChatCompletionChunk =>
  ({
    id: 'chatcmpl-Bx7kq2n9RZ0sYjQeLwq4Vd1uHn3Tf',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_560af6e559',
    choices: [{ index: 0, delta: { content: WORDS[i % WORDS.length] }, logprobs: null, finish_reason: null }],
    obfuscation: 'q8w',
  }) as ChatCompletionChunk;

/** An upstream that answers with `chunks` chunk batches, made up front so only the stage is timed. */
function upstream(): Call {
  const batches: GatewayEvent[] = Array.from({ length: chunks }, (_, i) => ({ type: 'chunks', chunks: [chunkAt(i)] }));
  async function* events() {
    yield* batches;
  }
  const answer = { target: undefined as never, attempts: [], cache: 'MISS' as const, events: events() };
  return { answer: Promise.resolve(answer), outcome: new Promise(() => {}) };
}

type ScrubStage = (secrets: readonly string[]) => Stage;
const other: ScrubStage | undefined = args.compare
  ? ((await import(resolve(args.compare))) as { scrubStage: ScrubStage }).scrubStage
  : undefined;

/** CPU nanoseconds per chunk to read a whole stream through `stage` (none: straight from the upstream). */
async function nsPerChunk(stage: Stage | undefined): Promise<number> {
  // The old stage read the request body (whether it showed the model a secret); an ordinary one is given.
  const request = { body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Explain streams.' }] } };
  const call = (stage ? stage(upstream) : upstream)(request as unknown as CallRequest);
  const { events } = await call.answer;
  const start = process.cpuUsage();
  let n = 0;
  for await (const event of events) if (event.type === 'chunks') n += event.chunks.length;
  const used = process.cpuUsage(start);
  if (n < chunks) throw new Error(`only ${n} of ${chunks} chunks came out`);
  return ((used.user + used.system) * 1000) / chunks;
}

function stringifyNs(): number {
  const all = Array.from({ length: chunks }, (_, i) => chunkAt(i));
  const start = process.cpuUsage();
  for (const chunk of all) JSON.stringify(chunk);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / chunks;
}

const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN);
const times: Record<string, number[]> = { floor: [], scrub: [], compare: [], stringify: [] };
for (let r = 0; r < rounds; r++) {
  times['floor']?.push(await nsPerChunk(undefined));
  times['scrub']?.push(await nsPerChunk(scrubStage(SECRETS)));
  if (other) times['compare']?.push(await nsPerChunk(other(SECRETS)));
  times['stringify']?.push(stringifyNs());
}
const floor = median(times['floor'] ?? []);
console.log(
  JSON.stringify({
    chunks,
    rounds,
    secrets: SECRETS.length,
    floor_ns_per_chunk: floor,
    scrub_ns_per_chunk: median(times['scrub'] ?? []) - floor,
    ...(other ? { compare_ns_per_chunk: median(times['compare'] ?? []) - floor } : {}),
    json_stringify_ns_per_chunk: median(times['stringify'] ?? []),
  }),
);
