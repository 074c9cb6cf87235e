// The README's "Try it" examples, read from README.md and run against the running gateway as printed (only the
// address changed), so the README cannot drift from what the gateway answers.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey, startGateway } from './support/gateway-server.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text of a `## heading` section, up to the next `## `. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

/** The bodies of the fenced blocks of one language in a text. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

/** Shell commands of a block, with `\` continuations joined. */
function commands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

const tryIt = section('Try it');
const curls = blocks(tryIt, 'sh').flatMap(commands);
const fetchSnippet = blocks(tryIt, 'js')[0];

/** Runs a README command through the shell with curl's status code appended, against `host` instead of localhost:8787. */
function runCurl(command: string, host: string): Promise<{ status: number; body: string }> {
  const rewritten = `${command.replaceAll('localhost:8787', host)} --max-time 30 --write-out '\\n%{http_code}'`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', rewritten]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const cut = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(cut + 1)), body: out.slice(0, cut) });
    });
  });
}

/** The named SSE events of a /stream body. */
function events(body: string): { event: string; data: unknown }[] {
  return body
    .split('\n\n')
    .filter((b) => b.startsWith('event: '))
    .map((b) => {
      const [first = '', ...rest] = b.split('\n');
      return {
        event: first.slice(7),
        data: JSON.parse(
          rest
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n'),
        ) as unknown,
      };
    });
}

/** The shape the README documents for each route's answer. */
function expectDocumentedShape(path: string, body: string): void {
  if (path.startsWith('/stream')) {
    const names = events(body).map((e) => e.event);
    expect(names).toContain('delta');
    expect(names.at(-1)).toBe('done');
    return;
  }
  const json = JSON.parse(body) as Record<string, unknown>;
  if (path === '/chat')
    expect(json).toMatchObject({
      content: expect.any(String),
      model: expect.any(String),
      finish_reason: expect.any(String),
      usage: expect.any(Object),
    });
  else if (path === '/extract')
    expect(json).toMatchObject({
      data: { name: expect.any(String) },
      model: expect.any(String),
      usage: expect.any(Object),
      attempts: expect.any(Number),
    });
  else if (path === '/v1/chat/completions')
    expect(json).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: expect.any(String) } }] });
  else throw new Error(`the test knows no documented shape for ${path}: add one`);
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;
if (!hasCurl) process.stderr.write('[tests] curl is not installed: the README curl examples are skipped (apt-get install -y curl).\n');

describe('README "Try it", run against the gateway as `npm start` serves it', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    // As in `npm start` ([env.dev]): anonymous calls allowed, the default provider on the mock upstream.
    gateway = await startGateway({ ALLOW_ANONYMOUS: 'true' });
  });
  afterAll(() => gateway?.close());

  it('finds the examples in README.md', () => {
    expect(curls.length).toBeGreaterThanOrEqual(5);
    expect(curls.every((c) => c.startsWith('curl '))).toBe(true);
    expect(fetchSnippet).toContain('fetch(');
  });

  it.skipIf(!hasCurl).each(curls)('%s answers 2xx with the documented shape', async (command) => {
    const path = /localhost:8787(\/[^\s'?]*)/.exec(command)?.[1] ?? '';
    const { status, body } = await runCurl(command, new URL(gateway.url).host);
    expect(status, body).toBeGreaterThanOrEqual(200);
    expect(status, body).toBeLessThan(300);
    expectDocumentedShape(path, body);
  });

  it('the plain-fetch snippet gets an answer with content and usage', async () => {
    const statuses: number[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const code = (fetchSnippet ?? '').replaceAll('https://gateway.example.workers.dev', gateway.url);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<unknown>;
    const run = new AsyncFunction('fetch', 'GATEWAY_KEY', `${code}\nreturn { content, usage };`);
    // The snippet is for a deployed gateway, which needs a key: a managed key of this one.
    const { content, usage } = (await run(recordingFetch, await mintKey(gateway.url))) as { content: unknown; usage: unknown };
    expect(statuses).toEqual([200]);
    expect(content).toEqual(expect.any(String));
    expect(content).not.toBe('');
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });
});
