// What a test run prints: passing tests whose upstream drops a connection print no runtime trace, while a
// real bug (an unhandled rejection) is still printed and fails the run. Runs a small Vitest run of its own.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the workers project over the fixtures in test/setup/fixtures, with plain (uncoloured) output. */
function runFixtures(): Promise<{ code: number | null; output: string }> {
  // A clean environment: the variables of the Vitest run around this one would change the inner run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS'));
  const args = ['node_modules/vitest/vitest.mjs', 'run', '--project', 'workers', '--reporter', 'verbose', 'test/setup/fixtures/'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, RUNTIME_OUTPUT_FIXTURES: '1', NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the output of a test run', () => {
  let run: { code: number | null; output: string };
  beforeAll(async () => {
    run = await runFixtures();
  }, 240_000);

  it('has no "uncaught exception" trace from a passing test whose upstream reset the connection', () => {
    expect(run.output).toMatch(/✓ .*sees a rejected fetch when the upstream resets the connection/);
    expect(run.output).not.toMatch(/uncaught exception/i);
    expect(run.output).not.toContain('Network connection lost');
  });

  it('still prints a real unhandled rejection, and fails the run', () => {
    expect(run.output).toContain('a real bug: this rejection is never handled');
    expect(run.code).not.toBe(0);
  });
});
