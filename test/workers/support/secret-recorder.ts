// What the workers tests saw leave the gateway: response headers and bodies produced through `call()`
// (test/workers/support/gateway.ts) and every console line. test/workers/support/secret-scan.ts checks them against the
// configured secrets after each file. The state lives on globalThis so the setup file and the test's modules
// share it however the runner loads them.

import { VARIABLES } from '../../../src/config/variables.ts';

/** One recorded output: a response (headers, then body bytes as the test read them) or a console line. */
export interface Recorded {
  readonly where: string;
  readonly text: string[];
  readonly bytes: Uint8Array[];
}

interface Recorder {
  outputs: Recorded[];
  /** Secret values set for single calls (`call(path, { env })`), on top of the test env. */
  extraSecrets: Set<string>;
}

const KEY = Symbol.for('edge-llm-gateway.secret-recorder');

/** The recorder of the current test file. */
export function recorder(): Recorder {
  const holder = globalThis as unknown as Record<symbol, Recorder | undefined>;
  holder[KEY] ??= { outputs: [], extraSecrets: new Set() };
  return holder[KEY];
}

/** Names of variables that hold secrets even when the config table does not list them (custom providers' keys). */
const SECRET_NAME = /(?:_API_KEYS?|_KEY|_TOKEN|_SECRET)$/;

/** Variables the gateway treats as secrets (provider keys, gateway keys, the admin token). */
const SECRET_NAMES: ReadonlySet<string> = new Set(VARIABLES.filter((v) => v.secret).map((v) => v.name));

/** Whether a variable holds a secret. */
export const isSecretName = (name: string) => SECRET_NAMES.has(name) || SECRET_NAME.test(name);

/** Remembers the secret values among vars set for one call. */
export function recordSecretsOf(vars: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(vars ?? {}))
    if (isSecretName(name)) for (const v of secretValues(name, value)) recorder().extraSecrets.add(v);
}

/** The secret values a variable holds: GATEWAY_API_KEYS is a comma-separated list; values under 8 characters are too common to scan for. */
export function secretValues(name: string, value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const parts = name === 'GATEWAY_API_KEYS' ? value.split(',') : [value];
  return parts.map((p) => p.trim()).filter((p) => p.length >= 8);
}

/**
 * Passes a response through unchanged while recording its headers and every body chunk the test reads.
 * The body is re-wrapped pull by pull (no read-ahead) and a cancel goes straight to the original, so
 * streaming and cancellation behave as without it.
 */
export function tapResponse(response: Response, where: string): Response {
  const entry: Recorded = { where, text: [[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')], bytes: [] };
  recorder().outputs.push(entry);
  if (!response.body) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        entry.bytes.push(value.slice());
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Wraps the console methods once per isolate so every line is recorded, then printed as before. */
export function recordConsole(): void {
  const holder = globalThis as unknown as Record<symbol, boolean | undefined>;
  const wrapped = Symbol.for('edge-llm-gateway.secret-recorder.console');
  if (holder[wrapped]) return;
  holder[wrapped] = true;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      recordLine(`console.${method}`, args);
      original(...args);
    };
  }
}

/** Records one console line. */
export function recordLine(where: string, args: unknown[]): void {
  const text = args.map((a) => {
    if (typeof a === 'string') return a;
    if (a instanceof Error) return `${a.name}: ${a.message}\n${a.stack ?? ''}`;
    try {
      return JSON.stringify(a) ?? String(a);
    } catch {
      return String(a);
    }
  });
  recorder().outputs.push({ where, text, bytes: [] });
}

/**
 * The strings of an SSE body's JSON `data:` payloads, joined across events field by field (every
 * `choices.0.delta.content` in order, and so on), as a client reassembles them; empty for other bodies.
 */
export function joinedStreamStrings(body: string): string {
  const byPath = new Map<string, string>();
  const collect = (value: unknown, path: string): void => {
    if (typeof value === 'string') byPath.set(path, (byPath.get(path) ?? '') + value);
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) collect(v, `${path}.${k}`);
  };
  for (const line of body.split('\n')) {
    if (!line.startsWith('data:')) continue;
    try {
      collect(JSON.parse(line.slice(5)), '');
    } catch {
      // Not JSON ([DONE], plain text): already scanned as it is.
    }
  }
  return [...byPath.values()].join('\n');
}
