// The shape of bench/results.json (and results.smoke.json): every figure of one run, with what produced it.
import type { Bundle, ModuleSize } from './bundle.ts';
import type { CacheResult } from './measure-cache.ts';
import type { ColdStartResult } from './measure-cold-start.ts';
import type { FeatureCosts } from './feature-costs.ts';
import type { CpuFigures } from './measure-cpu.ts';
import type { JsTimeFigures } from './measure-js-time.ts';
import type { LatencyResult } from './measure-latency.ts';
import type { StreamThroughput } from './measure-stream-throughput.ts';
import type { MemoryFigures } from './measure-memory.ts';
import type { StreamResult } from './measure-streams.ts';
import type { BenchSettings } from './settings.ts';

/** One issue-5 target, checked against this run. */
export interface TargetCheck {
  readonly target: string;
  readonly goal: string;
  readonly actual: string;
  readonly met: boolean | null;
  /** How far off a missed target is, in the goal's terms. */
  readonly missedBy?: string;
}

export interface BenchResults {
  readonly meta: {
    readonly profile: 'full' | 'smoke';
    readonly date: string;
    readonly seconds: number;
    readonly command: string;
    /** loadAverage1m: other work on the machine at the start and end of the run (the bench's own load raises `end`). */
    readonly machine: {
      readonly cpu: string;
      readonly cores: number;
      readonly memoryGiB: number;
      readonly os: string;
      readonly loadAverage1m: { readonly start: number; readonly end: number };
    };
    readonly versions: Readonly<Record<string, string>>;
    /** What was measured: the current tree (commit, dirty) or a bundle directory given on the command line. */
    readonly source:
      | { readonly kind: 'tree'; readonly commit: string; readonly dirty: boolean; readonly env: string }
      | { readonly kind: 'bundle-dir'; readonly dir: string; readonly config: string; readonly env: string };
    readonly runtime: string;
    /** Request counts, rounds and durations of this profile (settings.ts). */
    readonly settings: BenchSettings;
  };
  readonly latency: readonly LatencyResult[];
  readonly streams: readonly StreamResult[];
  /** Streams per second at concurrency 16: direct, the bare proxy Worker, the gateway, Portkey. */
  readonly streamThroughput: StreamThroughput;
  /** The peer gateway in the side-by-side rows; `skipped` says why it is missing. */
  readonly peer: { readonly name: string; readonly skipped: string | null };
  /** Portkey's own Worker on the same workerd (target and figure key `Portkey Worker`); `skipped` says why it is missing. */
  readonly peerWorker: { readonly name: string; readonly skipped: string | null };
  /** Fresh processes of the bare proxy (`proxy`), the gateway and `Portkey Worker`: medians per Worker; null when not run. */
  readonly coldStart: ColdStartResult | null;
  /** The isolate's own time per long stream (inspector), by target: `gateway`, `proxy` (the bare proxy Worker). */
  readonly jsTime: Readonly<Record<string, JsTimeFigures>>;
  readonly cache: CacheResult;
  readonly cpu: {
    readonly concurrency: number;
    readonly nonStream: CpuFigures;
    /** The same non-stream requests through `Portkey Worker` (its workerd) and `Portkey` (its Node process). */
    readonly nonStreamPeers: Readonly<Record<string, CpuFigures>>;
    /** Streams sent as fast as the mock can, 4 at a time: several chunks may share one network read. */
    readonly stream: CpuFigures & { readonly pieces: number };
    /** Streams whose chunks come `delayMs` apart, 16 at a time: one chunk per read, as with a real model. */
    readonly pacedStream: CpuFigures & { readonly pieces: number; readonly delayMs: number };
    readonly cacheHit: CpuFigures | null;
    readonly floor: Readonly<Record<string, CpuFigures>>;
    /** The same two stream loads through the bare proxy Worker (`proxy`, its workerd), `Portkey Worker` (its workerd) and `Portkey` (its Node process). */
    readonly streamPeers: Readonly<Record<string, { readonly stream: CpuFigures; readonly paced: CpuFigures }>>;
  };
  /**
   * Measured on a fresh gateway process; `rssAfterLoadMiB` is the long-lived one's after all the load
   * runs; `proxyReference` the same streams through the bare fetch proxy (the runtime's own share).
   */
  readonly memory: (MemoryFigures & { readonly rssAfterLoadMiB: number; readonly proxyReference: MemoryFigures | null }) | null;
  readonly size: {
    readonly rawBytes: number;
    readonly gzipBytes: number;
    /** Each module, main first. */
    readonly modules: readonly ModuleSize[];
    /** Static assets the Worker reads itself at first use (the tokenizer's rank files): not modules, not in the upload's size. */
    readonly workerAssets?: readonly ModuleSize[];
    readonly wrangler: Bundle['wrangler'];
    readonly bytesBySource: Bundle['bytesBySource'];
    readonly buildMs: number | null;
    /**
     * workerd: spawn until listening (includes loading and compiling the bundle), the same for the tiny
     * reference workers (the process's own share), and the gateway's first request's latency.
     */
    readonly startup: {
      readonly workerdListenMs: number;
      readonly floorListenMs: number | null;
      readonly firstRequestMs: number;
      readonly wranglerStartupMs: number | null;
    };
  };
  readonly wranglerDev: { readonly readyMs: number; readonly latency: readonly LatencyResult[] } | { readonly error: string } | null;
  /** What the request log, OTLP export and resumable streams cost, each against the gateway without it (issues 27, 28). */
  readonly featureCosts: FeatureCosts | null;
  readonly targets: readonly TargetCheck[];
}
