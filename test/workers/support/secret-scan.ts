// A setupFiles module of the workers project: records every console line (and, through `call()`, every
// response) of a test file, and fails the file when any configured secret's value shows up in them.
import { env } from 'cloudflare:workers';
import { afterAll, expect } from 'vitest';
import { isSecretName, joinedStreamStrings, recordConsole, recorder, secretValues } from './secret-recorder.ts';

recordConsole();

/** Every secret value the tests run with: the test env's and those set for single calls. */
function configuredSecrets(): Map<string, string> {
  const byValue = new Map<string, string>();
  for (const [name, value] of Object.entries(env as unknown as Record<string, unknown>)) {
    if (isSecretName(name)) for (const v of secretValues(name, value)) byValue.set(v, name);
  }
  for (const v of recorder().extraSecrets) if (!byValue.has(v)) byValue.set(v, 'a secret set for one call');
  return byValue;
}

afterAll(() => {
  const secrets = configuredSecrets();
  const decoder = new TextDecoder();
  const leaks: string[] = [];
  for (const output of recorder().outputs) {
    const body = decoder.decode(concat(output.bytes));
    // A stream can split a secret across events; a client joins them, so the scan joins their strings too.
    const text = [...output.text, body, joinedStreamStrings(body)].join('\n');
    for (const [value, name] of secrets) {
      const at = text.indexOf(value);
      if (at === -1) continue;
      const context = text.slice(Math.max(0, at - 60), at + value.length + 60).replaceAll(value, `<${name}>`);
      leaks.push(`${output.where} contains ${name}: …${context}…`);
    }
  }
  recorder().outputs.length = 0;
  expect(leaks, 'configured secrets found in responses or log lines').toEqual([]);
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
