// `npx node bench/reads-per-chunk.ts [--pieces 500]`
// Why every Worker that touches a stream's chunks in JavaScript pays per chunk, however fast they come:
// workerd hands a fetch body to JavaScript one HTTP chunk per read, even when many are already buffered.
// A worker in plain workerd reads the mock's stream of `pieces` chunks, sent as fast as it can, with the
// default reader, a BYOB reader into 64 KiB, and workerd's readAtLeast(1, 64 KiB); prints the reads each took.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { removeOnExit } from './children.ts';
import { startMock } from './mock-process.ts';
import { registerStreams } from './requests.ts';
import { startWorkerd } from './workerd-process.ts';

const { values: args } = parseArgs({ options: { pieces: { type: 'string', default: '500' } } });
const pieces = Number(args.pieces);
const dir = mkdtempSync(join(tmpdir(), 'edge-llm-gateway-reads-'));
removeOnExit(dir);
const mock = await startMock();
await registerStreams(mock.url, [{ pieces }]);

const worker = `
const READERS = {
  default: (body) => { const r = body.getReader(); return () => r.read(); },
  byob: (body) => { const r = body.getReader({ mode: 'byob' }); return () => r.read(new Uint8Array(65536)); },
  readAtLeast: (body) => { const r = body.getReader({ mode: 'byob' }); return () => r.readAtLeast(1, new Uint8Array(65536)); },
};
export default {
  async fetch(request) {
    const mode = new URL(request.url).searchParams.get('reader');
    const upstream = await fetch(${JSON.stringify(`${mock.url}/v1/chat/completions`)}, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      body: JSON.stringify({ model: 'bench-stream-${pieces}x0', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const read = READERS[mode](upstream.body);
    let reads = 0, bytes = 0, events = 0;
    for (;;) {
      const { done, value } = await read();
      if (done) break;
      reads++;
      bytes += value.byteLength;
      for (const b of value) if (b === 10) events++;
    }
    return Response.json({ reads, bytes, events: events / 2, transferEncoding: upstream.headers.get('transfer-encoding') });
  },
};`;
writeFileSync(join(dir, 'reads.js'), worker);
writeFileSync(
  join(dir, 'reads.capnp'),
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (modules = [(name = "reads.js", esModule = embed "reads.js")], compatibilityDate = "2026-11-01")),
    (name = "internet", network = (allow = ["private", "public", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);`,
);
const workerd = await startWorkerd({ configFile: join(dir, 'reads.capnp'), sockets: ['http'] });
try {
  console.log(`| reader | reads for a stream of ${pieces} content chunks sent at full speed | SSE events | bytes |`);
  console.log('|---|---|---|---|');
  for (const reader of ['default', 'byob', 'readAtLeast']) {
    const response = await fetch(`http://127.0.0.1:${workerd.ports['http']}/?reader=${reader}`);
    const r = (await response.json()) as { reads: number; bytes: number; events: number; transferEncoding: string };
    console.log(`| ${reader} | ${r.reads} | ${r.events} | ${r.bytes} (${r.transferEncoding}) |`);
  }
} finally {
  await workerd.stop();
  await mock.stop();
}
process.exit(0);
