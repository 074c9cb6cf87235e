// What a new isolate pays before its first answer, and what the first token count then costs once: a fresh
// `workerd serve` with the production bundle → first answered chat completion (ms from spawn, and the process's CPU
// then), then the first POST /v1/tokens/count (which loads an encoding where it is loaded at first use) and a
// second one. Medians of a few fresh processes; the main module's gzip size beside them.
// Run: npx node bench/cold-start-tokens.ts [--bundle-dir DIR] [--starts 5]   (DIR: a `wrangler deploy --dry-run --outdir`)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { buildBundle, existingBundle } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { startMock } from './mock-process.ts';
import { cpuTimeMs, rssMiB } from './proc.ts';
import { GATEWAY_KEY } from './requests.ts';
import { startGateway } from './servers.ts';
import { percentile } from './stats.ts';
import { readWranglerFacts } from './wrangler-config.ts';

const { values: args } = parseArgs({ options: { 'bundle-dir': { type: 'string' }, starts: { type: 'string', default: '5' } } });
const configPath = join(import.meta.dirname, '../wrangler.toml');
const workDir = mkdtempSync(join(tmpdir(), 'cold-start-tokens-'));
removeOnExit(workDir);
const bundle = args['bundle-dir']
  ? existingBundle(args['bundle-dir'])
  : await buildBundle(configPath, join(workDir, 'bundle'), 'production');
const facts = readWranglerFacts(configPath, 'production');
const mock = await startMock();

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function countOnce(url: string, model: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/tokens/count`, {
    method: 'POST',
    headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'How many tokens is this?' }] }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`tokens/count answered ${response.status}: ${text}`);
  return performance.now() - started;
}

const rows: Record<string, number>[] = [];
try {
  for (let i = 0; i < Number(args.starts); i++) {
    const gateway = await startGateway({ bundle, facts, mockUrl: mock.url, workDir: join(workDir, `run-${i}`) });
    try {
      const firstAnswerMs = gateway.workerd.listenMs + gateway.firstRequestMs;
      const cpuAtFirstAnswerMs = cpuTimeMs(gateway.pid);
      const rssAtFirstAnswerMiB = rssMiB(gateway.pid);
      const cpuBeforeCount = cpuTimeMs(gateway.pid);
      const firstCountMs = await countOnce(gateway.url, 'openai/gpt-4o');
      const firstCountCpuMs = cpuTimeMs(gateway.pid) - cpuBeforeCount;
      const secondCountMs = await countOnce(gateway.url, 'openai/gpt-4o');
      const firstCl100kCountMs = await countOnce(gateway.url, 'openai/gpt-4');
      rows.push({
        firstAnswerMs,
        cpuAtFirstAnswerMs,
        rssAtFirstAnswerMiB,
        firstCountMs,
        firstCountCpuMs,
        secondCountMs,
        firstCl100kCountMs,
        rssAfterCountsMiB: rssMiB(gateway.pid),
      });
    } finally {
      await gateway.workerd.stop();
    }
  }
} finally {
  await mock.stop();
}

const main = bundle.modules[0];
const gzipKiB = (path: string) => gzipSync(readFileSync(path)).byteLength / 1024;
console.log(`bundle ${bundle.dir}: main module ${main ? gzipKiB(main.path).toFixed(0) : '?'} KiB gzip`);
for (const m of bundle.modules.slice(1)) console.log(`  + ${m.name} ${gzipKiB(m.path).toFixed(0)} KiB gzip`);
console.log(`medians of ${rows.length} fresh workerd processes:`);
for (const key of Object.keys(rows[0] ?? {})) {
  const values = rows.map((r) => r[key] ?? Number.NaN);
  console.log(`  ${key.padEnd(22)} ${median(values).toFixed(0).padStart(6)}   (${values.map((v) => v.toFixed(0)).join(', ')})`);
}
