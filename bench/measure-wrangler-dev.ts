// The reference line: the same gateway under `wrangler dev`, whose dev server sits in front of workerd.
// Only concurrency 1 and 16, two rounds: enough to show the gap, not a target.
import { measureLatency, warmUp } from './measure-latency.ts';
import { gatewayTarget, type Target } from './requests.ts';
import type { BenchResults } from './results.ts';
import type { BenchSettings } from './settings.ts';
import { startWranglerDev, type WranglerDevOptions } from './wrangler-dev.ts';

/** Starts `wrangler dev`, measures it against `direct`, stops it; a failure is reported, not thrown. */
export async function measureWranglerDev(
  direct: Target,
  options: WranglerDevOptions,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<BenchResults['wranglerDev']> {
  log('reference: wrangler dev');
  try {
    const dev = await startWranglerDev(options);
    try {
      const target = gatewayTarget('wrangler dev', dev.url);
      await warmUp([target], settings.warmupSeconds);
      return {
        readyMs: dev.readyMs,
        latency: await measureLatency([direct, target], { ...settings, concurrencies: [1, 16], rounds: 2 }, log),
      };
    } finally {
      await dev.stop();
    }
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    log(`wrangler dev reference failed: ${message}`);
    return { error: message };
  }
}
