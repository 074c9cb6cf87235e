import { env } from 'cloudflare:workers';
import type { LimitsDeps } from '../../../src/limits/limits-deps.ts';

/** A LIMITS namespace whose objects never answer, as when Durable Objects are unavailable. */
export function unreachableNamespace(): LimitsDeps['keys'] {
  const failing = () => Promise.reject(new Error('Durable Object unavailable (simulated)'));
  const stub = {
    getRecord: failing,
    reserve: failing,
    check: failing,
    admit: failing,
    unusable: failing,
    settle: failing,
    usage: failing,
    create: failing,
    update: failing,
    revoke: failing,
  };
  return { idFromName: (name: string) => env.LIMITS.idFromName(name), get: () => stub } as unknown as LimitsDeps['keys'];
}

/** What a burst of concurrent requests got back: how many were answered, how many refused with 429, the other statuses. */
export interface BurstResult {
  readonly ok: number;
  readonly limited: number;
  readonly other: readonly number[];
  /** The 429 responses' Retry-After values. */
  readonly retryAfter: readonly string[];
}

/**
 * Sends `n` requests at once through `send` (e.g. `(i) => call('/v1/chat/completions', { json: body(i), key })`),
 * reads every body to its end (streams included) and counts the outcomes: the exactness check through HTTP.
 */
export async function burst(n: number, send: (i: number) => Promise<Response>): Promise<BurstResult> {
  const responses = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      send(i).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() })),
    ),
  );
  return {
    ok: responses.filter((r) => r.status === 200).length,
    limited: responses.filter((r) => r.status === 429).length,
    other: responses.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.status),
    retryAfter: responses.filter((r) => r.status === 429).map((r) => r.retryAfter ?? ''),
  };
}

/** Starts the Durable Objects once before a file's tests: the first start loads the whole Worker, slow on a busy machine. */
export async function warmUpLimits(): Promise<void> {
  await env.LIMITS.get(env.LIMITS.idFromName('warm-up')).getRecord();
  await env.KEY_INDEX.get(env.KEY_INDEX.idFromName('warm-up')).list();
}
