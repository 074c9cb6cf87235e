import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import '../../provided-context.ts';
import { createApp } from '../../../src/app.ts';
import { SingleFlight } from '../../../src/cache/single-flight.ts';
import { Cooldown } from '../../../src/gateway/cooldown.ts';
import { systemClock } from '../../../src/gateway/clock.ts';
import type { AppDeps } from '../../../src/http/context.ts';
import { until } from './fake-clock.ts';
import { recordSecretsOf, tapResponse } from './secret-recorder.ts';

export const mockUrl = inject('mockUrl');
export const KEY = 'gw-test-key-1';
export const UPSTREAM_KEY = 'sk-test-upstream-key-0123456789';

export interface CallOptions {
  method?: string;
  /** A JSON body (sets content-type). */
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** The gateway key to send; null sends none. */
  key?: string | null;
  /** Vars and secrets to set on top of the test env (from vitest.config.ts). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** The app to send it through (to share its cooldown memory across calls); a fresh one by default. */
  app?: ReturnType<typeof createApp>;
}

/** Sends a request through a freshly built gateway app, waits for its `waitUntil` work, returns the Response. */
export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  const key = options.key === undefined ? KEY : options.key;
  if (key) headers.set('authorization', `Bearer ${key}`);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const request = new Request(`http://gateway.test${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const ctx = createExecutionContext();
  recordSecretsOf(options.env);
  // Recorded for the secret scan (test/workers/support/secret-scan.ts): headers now, the body as the test reads it.
  const response = tapResponse(
    await (options.app ?? createApp()).fetch(request, { ...env, ...options.env } as Env, ctx),
    `response to ${request.method} ${path}`,
  );
  // Streams: the log line and cache write wait for the body, so wait for waitUntil only once it is read (`settled`).
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) await waitOnExecutionContext(ctx);
  contexts.set(response, ctx);
  return response;
}

const contexts = new WeakMap<Response, ExecutionContext>();

/** Waits for the `waitUntil` work of a call (cache writes, log line), e.g. after reading a stream to its end. */
export async function settled(response: Response): Promise<void> {
  const ctx = contexts.get(response);
  if (ctx) await waitOnExecutionContext(ctx);
}

/** A chat body for the mock upstream, with a scenario id to count the upstream calls it caused. */
export function chatBody(mock: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const id = crypto.randomUUID();
  return { id, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], mock: { id, ...mock }, ...extra } };
}

export interface MockCalls {
  count: number;
  requests: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[];
  closed_by_client: number;
}

/** What the mock upstream saw for a scenario id. */
export async function mockCalls(id: string): Promise<MockCalls> {
  const response = await fetch(`${mockUrl}/__mock/calls/${id}`);
  return response.json<MockCalls>();
}

/** The `data:` payloads of an SSE body, `[DONE]` included, and named events as `{event, data}`. */
export function sseEvents(text: string): { event: string | null; data: string }[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? null;
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data };
    });
}

/** Waits until `check` passes or about two seconds have gone (for effects that happen after a response). */
export async function eventually(check: () => Promise<boolean>, tries = 40): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * Registers a mock scenario under a fresh model name and returns `openai/<name>` plus its scenario id:
 * for routes like /chat and /extract whose bodies cannot carry a `mock` field.
 */
export async function scenario(directive: Record<string, unknown>, provider = 'openai'): Promise<{ model: string; id: string }> {
  const id = crypto.randomUUID();
  const name = `scenario-${id}`;
  const response = await fetch(`${mockUrl}/__mock/scenarios/${name}`, { method: 'PUT', body: JSON.stringify({ id, ...directive }) });
  if (!response.ok) throw new Error(`could not register scenario: ${await response.text()}`);
  return { model: `${provider}/${name}`, id };
}

/** What `scriptedApp` may be given on top of the app's dependencies. */
export interface ScriptedOptions extends Partial<AppDeps> {
  /** Wait between attempts on the clock (a fake one moves only when the test says) instead of recording and skipping the wait. */
  waitOnClock?: boolean;
}

/**
 * An app whose waits between attempts are recorded and skipped (an injected clock for backoff), with
 * full jitter pinned to its ceiling so backoff waits are exact. A `clock` given (e.g. a FakeClock) drives
 * every timer of the app: timeouts, deadline, keep-alive, cooldown.
 */
export function scriptedApp(overrides: ScriptedOptions = {}) {
  const { waitOnClock, ...given } = overrides;
  const sleeps: number[] = [];
  const clock = given.clock ?? systemClock;
  const deps: AppDeps = {
    fetch: (input, init) => fetch(input, init),
    clock,
    random: () => 1,
    ...(waitOnClock
      ? {}
      : {
          sleep: async (ms: number, signal: AbortSignal) => {
            sleeps.push(ms);
            if (signal.aborted) throw signal.reason;
          },
        }),
    cooldown: new Cooldown(
      () => clock.now(),
      () => {},
    ),
    singleFlight: new SingleFlight(),
    ...given,
  };
  return { app: createApp(deps), sleeps, deps };
}

/**
 * A fetch that sends each request to the upstream at once but holds its response back until `release()`:
 * the upstream has answered (`answered` resolves) while the gateway still waits, so a test can move a fake
 * clock through that wait. Released responses are handed over in order; later requests pass straight through.
 */
export function heldFetch() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let answered!: () => void;
  const arrived = new Promise<void>((resolve) => {
    answered = resolve;
  });
  let held = false;
  const fetchHeld: typeof fetch = async (input, init) => {
    if (held) return fetch(input, init);
    held = true;
    const response = await fetch(input, init);
    answered();
    await released;
    return response;
  };
  return { fetch: fetchHeld, answered: arrived, release };
}

/** Resolves once the mock upstream has seen `count` requests for a scenario id (polled with tiny real-time yields). */
export function upstreamSaw(id: string, count = 1): Promise<void> {
  return until(async () => (await mockCalls(id)).count >= count, `the mock upstream saw ${count} request(s) for ${id}`);
}
