// The shell examples of the docs/ pages that call a local gateway, run as printed against the gateway as `npm start`
// serves it (only the addresses changed), each compared with the output the page prints after it. The README's
// "Try it" is run by readme-examples.test.ts, the admin walkthrough by readme-walkthrough.e2e.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockUrl, startGateway } from './support/gateway-server.ts';

/** Sections run by their own tests, by page. */
const RUN_ELSEWHERE: Record<string, string> = { 'keys-and-budgets.md': '\n## The admin API, a walkthrough\n' };

interface Example {
  readonly name: string;
  readonly script: string;
  /** The fenced block printed right after the commands: what they output. */
  readonly printed: { readonly lang: string; readonly text: string };
}

/** The `sh` blocks that call localhost:8787 and are followed by the output they print. */
function examples(page: string): Example[] {
  let text = readFileSync(join('docs', page), 'utf8');
  const skip = RUN_ELSEWHERE[page];
  if (skip) {
    const start = text.indexOf(skip);
    text = text.slice(0, start) + text.slice(text.indexOf('\n## ', start + skip.length));
  }
  const fences = [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? '',
    text: m[2] ?? '',
    start: m.index,
    end: m.index + m[0].length,
  }));
  return fences.flatMap((fence, i) => {
    const next = fences[i + 1];
    if (fence.lang !== 'sh' || !fence.text.includes('localhost:8787') || !next || !['json', ''].includes(next.lang)) return [];
    // Only an output block right after the commands, with nothing but blank lines between, is what they print.
    if (text.slice(fence.end, next.start).trim() !== '') return [];
    return [{ name: `${page}: ${fence.text.split('\n')[0]}`, script: fence.text, printed: next }];
  });
}

const EXAMPLES = readdirSync('docs')
  .filter((name) => name.endsWith('.md'))
  .flatMap(examples);

/** What varies from run to run in an output: generated ids and measured times. */
const normalised = (text: string) => text.replace(/call_mock_\d+_\d+/g, 'call_mock_N').replace(/\\?"ms\\?":\d+/g, '"ms":N');

function run(script: string, host: string): Promise<string> {
  const rewritten = script.replaceAll('localhost:8787', host).replaceAll('localhost:8790', new URL(mockUrl).host);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-ec', rewritten]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // curl -N without -s draws its progress meter on stderr: not part of what the page prints.
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}${err}`))));
  });
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!hasCurl)('the docs pages’ local examples, run as printed', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    // As in `npm start` ([env.dev]): anonymous calls allowed, the default provider on the mock upstream.
    gateway = await startGateway({ ALLOW_ANONYMOUS: 'true' });
  });
  afterAll(() => gateway?.close());

  it('finds the examples: errors, tokens, tools, security', () => {
    const pages = new Set(EXAMPLES.map((e) => e.name.split(':')[0]));
    expect([...pages].sort()).toEqual(['errors.md', 'security.md', 'tokens-and-cost.md', 'tools.md']);
  });

  it.each(EXAMPLES.map((e) => [e.name, e] as const))('%s prints what the page shows', async (_, example) => {
    const output = await run(example.script, new URL(gateway.url).host);
    if (example.printed.lang === 'json')
      expect(
        output
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual(
        example.printed.text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
    else expect(normalised(output).trim()).toBe(normalised(example.printed.text).trim());
  });
});
