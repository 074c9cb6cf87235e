// The response cache: latency of a cache HIT through the gateway vs the upstream answering the same
// request. Runs only once the gateway answers a repeated temperature-0 request with `x-gateway-cache: HIT`;
// until then the section reports why it is not available instead of failing.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadRun } from './autocannon-run.ts';
import { combine, type LoadFigures } from './measure-latency.ts';
import { cacheableBody, type Target } from './requests.ts';
import { interleave } from './rounds.ts';
import type { BenchSettings } from './settings.ts';

export type CacheResult =
  | { readonly available: false; readonly reason: string }
  | { readonly available: true; readonly byTarget: Readonly<Record<string, LoadFigures>> };

async function cacheHeader(gateway: Target): Promise<string | null> {
  const response = await fetch(gateway.url, { method: 'POST', headers: gateway.headers, body: JSON.stringify(cacheableBody()) });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${gateway.name}: the cacheable request answered ${response.status}.`);
  return response.headers.get('x-gateway-cache');
}

/**
 * Whether the gateway serves a repeated cacheable request from its cache. The first answer's cache write
 * goes through waitUntil, so the check asks again a few times before giving up.
 */
export async function probeCache(gateway: Target): Promise<{ ok: true } | { ok: false; reason: string }> {
  const first = await cacheHeader(gateway);
  if (first === null) return { ok: false, reason: 'the gateway sends no x-gateway-cache header (no response cache in this version)' };
  let last: string | null = first;
  for (let i = 0; i < 20; i++) {
    last = await cacheHeader(gateway);
    if (last?.toUpperCase() === 'HIT') return { ok: true };
    await sleep(50);
  }
  return { ok: false, reason: `a repeated temperature-0 request still answered x-gateway-cache: ${last ?? '(none)'}` };
}

/** HIT latency (gateway) vs the upstream's own (direct) and vs the gateway going to the upstream, concurrency 1, interleaved. */
export async function measureCache(
  direct: Target,
  gateway: Target,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<CacheResult> {
  const probe = await probeCache(gateway);
  if (!probe.ok) {
    log(`cache: not available: ${probe.reason}`);
    return { available: false, reason: probe.reason };
  }
  log(`cache: HIT vs upstream, ${settings.rounds} rounds of ${settings.cacheSeconds} s, concurrency 1`);
  // The same request through the gateway with the cache skipped: what a hit saves, whatever the upstream's speed.
  const uncached: Target = {
    ...gateway,
    name: 'gateway, cache skipped',
    headers: { ...gateway.headers, 'cache-control': 'no-cache, no-store' },
  };
  const targets = new Map([
    ['direct', direct],
    ['gateway HIT', gateway],
    ['gateway, cache skipped (to the upstream)', uncached],
  ]);
  const samples = await interleave([...targets.keys()], settings.rounds, (name) =>
    loadRun(targets.get(name)!, cacheableBody(), { connections: 1, seconds: settings.cacheSeconds }),
  );
  // Every turn should have been a hit; a final probe catches a cache that stopped answering midway.
  const after = await cacheHeader(gateway);
  if (after?.toUpperCase() !== 'HIT')
    throw new Error(
      `cache: after the run the gateway answered x-gateway-cache: ${after ?? '(none)'}, so the HIT figures are not all hits.`,
    );
  return { available: true, byTarget: Object.fromEntries([...samples].map(([name, s]) => [name, combine(s)])) };
}
