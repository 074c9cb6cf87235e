// What token counting and prices cost the Worker: bundle size (gzip) with and without the tokenizer and the
// price data, Worker startup in plain workerd, and CPU to count a 2k-token and a 100k-token conversation,
// inside workerd (/proc CPU of the workerd process) and in Node (performance.now) for comparison.
// Run: npx node bench/tokens.ts   → prints a table and writes bench/tokens-results.json
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import { chatTokenCounter } from '../src/tokens/count-chat.ts';
import { useRankFiles } from '../src/tokens/encodings.ts';
import { costOf } from '../src/tokens/prices.ts';
import { trimToFit } from '../src/tokens/trim.ts';
import { removeOnExit } from './children.ts';
import { nodeRankFiles } from './node-rank-files.ts';
import { cpuTimeMs, rssMiB } from './proc.ts';
import { percentile } from './stats.ts';
import { entrySource, VARIANTS, type Variant } from './tokens/variants.ts';
import { startWorkerd } from './workerd-process.ts';

const STARTS = 3;
useRankFiles(nodeRankFiles);
const countChatTokens = await chatTokenCounter('openai/gpt-4o');
const REQUESTS = { '2k': 40, '100k': 6 } as const;
const COMPATIBILITY_DATE = '2026-11-01';

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

const WORDS =
  'the gateway counts every token it sends and receives so that a deployer sees the bill before it comes 12345 ünïcödé 日本語 {"json": true}'.split(
    ' ',
  );

/** A user/assistant conversation of about `tokens` o200k tokens, messages of ~200 tokens. */
function conversation(tokens: number): { role: string; content: string }[] {
  const messages: { role: string; content: string }[] = [{ role: 'system', content: 'You are a helpful assistant.' }];
  let i = 0;
  while (countChatTokens(messages).tokens < tokens) {
    const words = Array.from({ length: 150 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]);
    messages.push({ role: messages.length % 2 === 1 ? 'user' : 'assistant', content: words.join(' ') });
    i++;
  }
  return messages;
}

interface Built {
  readonly variant: Variant;
  readonly file: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

async function bundle(dir: string, variant: Variant): Promise<Built> {
  const entry = join(dir, `${variant.name}.entry.js`);
  writeFileSync(entry, entrySource(variant));
  const file = join(dir, `${variant.name}.js`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'import'],
    nodePaths: [join(import.meta.dirname, '../node_modules')],
    // The src-tokens variant's rank files (static assets in the Worker): inlined here, parsed at first use all the same.
    loader: { '.tiktoken': 'text' },
    logLevel: 'error',
  });
  const code = (await import('node:fs')).readFileSync(file);
  return { variant, file, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

function workerdConfig(built: Built): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${built.variant.name}.js") ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
);
`;
}

interface WorkerdFigures {
  readonly listenMs: number;
  /** CPU of the whole workerd process until it listened (runtime boot + script compile + top-level). */
  readonly startupCpuMs: number;
  readonly rssMiB: number;
  /** CPU per request of /count minus /parse with the same body, per conversation size. */
  readonly countCpuMs: Record<string, number>;
}

async function measureInWorkerd(dir: string, built: Built, bodies: Record<string, string>): Promise<WorkerdFigures> {
  const configFile = join(dir, `${built.variant.name}.capnp`);
  writeFileSync(configFile, workerdConfig(built));
  const starts: { listenMs: number; cpu: number; rss: number }[] = [];
  const countCpuMs: Record<string, number> = {};
  for (let i = 0; i < STARTS; i++) {
    const server = await startWorkerd({ configFile, sockets: ['http'] });
    try {
      starts.push({ listenMs: server.listenMs, cpu: cpuTimeMs(server.pid), rss: rssMiB(server.pid) });
      if (i > 0) continue;
      const url = `http://127.0.0.1:${server.ports['http']}`;
      await fetch(`${url}/health`).then((r) => r.text());
      for (const [size, body] of Object.entries(bodies)) {
        const n = REQUESTS[size as keyof typeof REQUESTS];
        const cpuOf = async (path: string) => {
          await fetch(`${url}${path}`, { method: 'POST', body }).then((r) => r.text()); // warm
          const before = cpuTimeMs(server.pid);
          for (let k = 0; k < n; k++) await fetch(`${url}${path}`, { method: 'POST', body }).then((r) => r.text());
          return (cpuTimeMs(server.pid) - before) / n;
        };
        countCpuMs[size] = (await cpuOf('/count')) - (await cpuOf('/parse'));
      }
    } finally {
      await server.stop();
    }
  }
  return {
    listenMs: median(starts.map((s) => s.listenMs)),
    startupCpuMs: median(starts.map((s) => s.cpu)),
    rssMiB: median(starts.map((s) => s.rss)),
    countCpuMs,
  };
}

/** Median wall time of `fn` in this Node process, in ms. */
function nodeMs(fn: () => unknown, rounds: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tokens-'));
  removeOnExit(dir);
  const chats = { '2k': conversation(2_000), '100k': conversation(100_000) };
  const bodies = Object.fromEntries(Object.entries(chats).map(([k, messages]) => [k, JSON.stringify({ messages })]));
  const counted = Object.fromEntries(Object.entries(chats).map(([k, m]) => [k, countChatTokens(m).tokens]));

  const variants: Record<string, unknown>[] = [];
  let baseline: WorkerdFigures | undefined;
  for (const variant of VARIANTS) {
    const built = await bundle(dir, variant);
    const figures = await measureInWorkerd(dir, built, variant.name === 'genai-prices' || variant.name === 'baseline' ? {} : bodies);
    baseline ??= figures;
    variants.push({
      name: variant.name,
      what: variant.what,
      bundle: { rawBytes: built.rawBytes, gzipBytes: built.gzipBytes },
      workerd: {
        ...figures,
        startupCpuOverBaselineMs: figures.startupCpuMs - baseline.startupCpuMs,
        rssOverBaselineMiB: figures.rssMiB - baseline.rssMiB,
      },
    });
    console.log(
      `${variant.name.padEnd(22)} gzip ${(built.gzipBytes / 1024).toFixed(0).padStart(5)} KiB  startup CPU +${(figures.startupCpuMs - baseline.startupCpuMs).toFixed(0).padStart(4)} ms  listen ${figures.listenMs.toFixed(0).padStart(5)} ms  RSS +${(figures.rssMiB - baseline.rssMiB).toFixed(0).padStart(3)} MiB  ${Object.entries(
        figures.countCpuMs,
      )
        .map(([k, v]) => `count ${k}: ${v.toFixed(1)} ms`)
        .join('  ')}`,
    );
  }

  // The same work in Node, with a finer clock than /proc's 10 ms ticks.
  const tiktoken = new Tiktoken(o200kRanks);
  const node = {
    countChatTokens: Object.fromEntries(Object.entries(chats).map(([k, m]) => [k, nodeMs(() => countChatTokens(m), k === '2k' ? 50 : 5)])),
    jsTiktoken: Object.fromEntries(
      Object.entries(chats).map(([k, m]) => [
        k,
        nodeMs(() => m.reduce((n, x) => n + tiktoken.encode(x.content).length, 0), k === '2k' ? 50 : 5),
      ]),
    ),
    trimToFitHalf: Object.fromEntries(
      Object.entries(chats).map(([k, m]) => [
        k,
        nodeMs(
          () => trimToFit(m, { budget: Math.floor((counted[k] ?? 0) / 2), count: (x) => countChatTokens(x).tokens }),
          k === '2k' ? 50 : 5,
        ),
      ]),
    ),
    costOfMicroseconds:
      nodeMs(
        () =>
          costOf('openai/gpt-4o', {
            prompt_tokens: 1000,
            completion_tokens: 100,
            total_tokens: 1100,
            prompt_tokens_details: { cached_tokens: 500 },
          }),
        200,
      ) * 1000,
  };
  console.log('node (ms):', JSON.stringify(node));

  const results = {
    meta: {
      date: new Date().toISOString(),
      command: 'npx node bench/tokens.ts',
      node: process.version,
      starts: STARTS,
      requests: REQUESTS,
      tokens: counted,
      note: 'workerd CPU from /proc/<pid>/stat (10 ms ticks, whole process) averaged over the requests; count CPU is /count minus /parse on the same body. Startup CPU is the whole workerd process until it listened; compare against baseline.',
    },
    variants,
    node,
  };
  writeFileSync(join(import.meta.dirname, 'tokens-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/tokens-results.json');
}

await main();
