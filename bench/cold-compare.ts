// Cold starts of several builds side by side, interleaved: what each change to the startup path buys.
//   npx node bench/cold-compare.ts --bundle-dir A --bundle-dir B [--samples 7] [--config wrangler.toml]
// Per build: spawn → listening, spawn → first answered chat completion, process CPU then, RSS, module sizes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { existingBundle } from './bundle.ts';
import { removeOnExit } from './children.ts';
import { measureColdStarts, type ColdTarget } from './measure-cold-start.ts';
import { startMock } from './mock-process.ts';
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
      return { workerd: fresh.workerd, firstRequestMs: fresh.firstRequestMs, modules: bundle.modules };
    },
  };
});
const result = await measureColdStarts(targets, Number(values.samples), workDir, (line) => console.error(line));
await mock.stop();
console.log(`load ${result.loadAverage1m.toFixed(2)}; medians of ${result.samples}`);
console.log('| build | listening ms | first answer ms | CPU ms | RSS MiB | main module gzip KiB |');
console.log('|---|---|---|---|---|---|');
for (const [name, f] of Object.entries(result.byTarget)) {
  const main = f.modules[0];
  console.log(
    `| ${name} | ${f.listenMs.toFixed(0)} | ${f.firstAnswerMs.toFixed(0)} | ${f.cpuMs} | ${f.rssMiB.toFixed(1)} | ${main ? (main.gzipBytes / 1024).toFixed(0) : '?'} |`,
  );
}
