// The admin walkthrough of docs/keys-and-budgets.md ("The admin API, a walkthrough"), run as printed in one shell
// against the running gateway (only the address changed): each command uses the shell variables the one before it
// set, so a reader can paste it as it is. Guards the key's limits, models, usage and revocation as the page tells them.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from './support/gateway-server.ts';

const HEADING = '\n## The admin API, a walkthrough\n';
const page = readFileSync(new URL('../../docs/keys-and-budgets.md', import.meta.url), 'utf8');
const start = page.indexOf(HEADING);
if (start === -1) throw new Error(`docs/keys-and-budgets.md has no "${HEADING.trim()}" section`);
const walkthrough = page.slice(start, page.indexOf('\n## ', start + HEADING.length));
const script = [...walkthrough.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').join('\n');
const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!hasCurl)("docs/keys-and-budgets.md's admin walkthrough, as printed", () => {
  let gateway: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    gateway = await startGateway({ ADMIN_TOKEN: 'dev-admin-token' });
  });
  afterAll(() => gateway?.close());

  it('creates a key, hits its per-minute limit, narrows its models, reads its usage and revokes it', async () => {
    expect(script).toContain('$KEY_ID');
    const host = gateway.url.replace(/^https?:\/\//, '');
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('sh', ['-ec', script.replaceAll('localhost:8787', host)]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
    });
    expect(output).toMatch(/"object":"gateway\.key".*"key":"gk_/);
    expect(output.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(output).toContain('HTTP/1.1 429 Too Many Requests');
    expect(output).toContain('"code":"forbidden_model"');
    expect(output).toMatch(/"object":"gateway\.key\.usage","minute":\{"requests":2\}/);
    expect(output).toContain('"object":"gateway.key.deleted"');
    expect(output).toContain('This gateway key has been revoked');
    expect(output).not.toContain('Invalid gateway key');
  });
});
