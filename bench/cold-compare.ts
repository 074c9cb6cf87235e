// Cold starts of several builds side by side, interleaved: what each change to the startup path buys.
//   npx node bench/cold-compare.ts --bundle-dir A --bundle-dir B [--samples 7] [--config wrangler.toml]
// Per build: spawn → listening, spawn → first answered chat completion, process CPU then, RSS, module sizes, and
// the first token count after that answer (a one-time load of the o200k encoding). Every build gets the assets
// directory of --config as its ASSETS binding (where the tokenizer's rank files are, for builds that read them there).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { existingBundle, moduleSizes, workerAssets } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { measureColdStarts, type ColdTarget } from './measure-cold-start.ts';
import { startMock } from './mock-process.ts';
import { GATEWAY_KEY } from './requests.ts';
import { startGateway } from './servers.ts';
import { readWranglerFacts } from './wrangler-config.ts';

const { values } = parseArgs({
  options: {
    'bundle-dir': { type: 'string', multiple: true, default: [] },
    samples: { type: 'string', default: '7' },
    config: { type: 'string', default: 'wrangler.toml' },
  },
});
const dirs = values['bundle-dir'];
if (dirs.length === 0) throw new Error('give at least one --bundle-dir');
const facts = readWranglerFacts(values.config);
const workDir = mkdtempSync(join(tmpdir(), 'cold-compare-'));
removeOnExit(workDir);
const mock = await startMock();
const targets: ColdTarget[] = dirs.map((dir, i) => {
  const bundle = existingBundle(dir);
  return {
    name: `${i}:${dir}`,
    async start(where) {
      const fresh = await startGateway({ bundle, facts, mockUrl: mock.url, workDir: where });
      const tokenCount = {
        name: `${i}:${dir}`,
        url: `${fresh.url}/v1/tokens/count`,
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      };
      return { workerd: fresh.workerd, firstRequestMs: fresh.firstRequestMs, modules: bundle.modules, tokenCount };
    },
  };
});
const result = await measureColdStarts(targets, Number(values.samples), workDir, (line) => console.error(line));
await mock.stop();
console.log(`load ${result.loadAverage1m.toFixed(2)}; medians of ${result.samples}`);
const kib = (bytes: number) => (bytes / 1024).toFixed(0);
console.log(
  '| build | listening ms | first answer ms | CPU ms | RSS MiB | main module gzip KiB | other modules gzip KiB | first token count ms / CPU ms |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, f] of Object.entries(result.byTarget)) {
  const main = f.modules[0];
  const others = f.modules.slice(1).reduce((n, m) => n + m.gzipBytes, 0);
  const count = f.tokenCount ? `${f.tokenCount.ms.toFixed(0)} / ${f.tokenCount.cpuMs}` : '—';
  console.log(
    `| ${name} | ${f.listenMs.toFixed(0)} | ${f.firstAnswerMs.toFixed(0)} | ${f.cpuMs} | ${f.rssMiB.toFixed(1)} | ${main ? kib(main.gzipBytes) : '?'} | ${kib(others)} | ${count} |`,
  );
}
const assets = facts.assets ? moduleSizes(workerAssets(facts.assets.directory)) : [];
if (assets.length > 0)
  console.log(
    `static assets the Worker reads at first use (${facts.assets?.directory}): ${assets.map((a) => `${a.name} ${kib(a.rawBytes)} / ${kib(a.gzipBytes)} KiB gzip`).join('; ')}`,
  );
