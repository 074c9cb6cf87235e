// The two bench profiles in one table: the full run (`npm run bench`, about 2–3 minutes on 2 cores) and
// the smoke run (`npm run bench:smoke`, about 10 seconds, to prove the bench still works).

export interface BenchSettings {
  readonly profile: 'full' | 'smoke';
  /** Where the figures are written, relative to bench/. */
  readonly resultsFile: string;
  /** Concurrency levels for the non-stream latency and throughput runs. */
  readonly concurrencies: readonly number[];
  /** Targets take turns round by round (ABBA order), so machine drift hits them alike. */
  readonly rounds: number;
  /** Length of one target's turn in a non-stream round, seconds. */
  readonly segmentSeconds: number;
  /** Load before measuring, per target, seconds. */
  readonly warmupSeconds: number;
  /** Stream sizes (content chunks) and how many streams each target runs per round. */
  readonly streams: readonly { readonly pieces: number; readonly perRound: number }[];
  /** Cache: one turn per target per round, seconds at concurrency 1. */
  readonly cacheSeconds: number;
  /** CPU: requests per measurement (non-stream and cache hit) and their concurrency. */
  readonly cpuRequests: number;
  readonly cpuConcurrency: number;
  /** CPU per chunk: streams of the largest size sent as fast as the mock can (4 at a time)… */
  readonly cpuStreams: number;
  /** …and paced streams, one chunk per network read as a model's tokens arrive (16 at a time). */
  readonly pacedStreams: { readonly count: number; readonly pieces: number; readonly delayMs: number };
  /** Streams per second: streams of `pieces` chunks at `concurrency`, each target's turn `segmentSeconds` long. */
  readonly streamThroughput: { readonly pieces: number; readonly concurrency: number };
  /** The isolate's own time (inspector) per stream of `pieces` chunks `delayMs` apart, over `count` streams; null skips it. */
  readonly jsStream: { readonly pieces: number; readonly delayMs: number; readonly count: number } | null;
  /** Run Portkey (../shared/peers/portkey) as a peer row, where present. */
  readonly peers: boolean;
  /** Run Portkey's own Worker (../shared/peers/portkey-workerd) in workerd as a peer column, where present. */
  readonly portkeyWorker: boolean;
  /** Fresh workerd processes per Worker for the cold-start figures (median); 0 skips them. */
  readonly coldStarts: number;
  /** Streams held open for the memory figure; 0 skips it. */
  readonly memoryStreams: number;
  /** Also measure the reference Workers (runtime floor) and `wrangler dev`. */
  readonly floor: boolean;
  readonly wranglerDev: boolean;
  /**
   * Feature costs (feature-costs.ts): gateway variants with and without the request log and OTLP export, and
   * streams of `streamPieces` chunks with and without resumable mode, in `rounds` interleaved rounds; null skips them.
   */
  readonly featureCosts: {
    readonly rounds: number;
    /** Non-stream CPU: requests per turn, at this concurrency. */
    readonly cpuRequests: number;
    readonly cpuConcurrency: number;
    /** Non-stream latency: one turn's length at concurrency 1, seconds. */
    readonly latencySeconds: number;
    readonly streamPieces: number;
    /** Streams per turn for time to first byte, one at a time. */
    readonly streamsPerRound: number;
    /** Streams per turn for CPU per chunk, `streamConcurrency` at a time. */
    readonly cpuStreams: number;
    readonly streamConcurrency: number;
  } | null;
}

export const FULL: BenchSettings = {
  profile: 'full',
  resultsFile: 'results.json',
  concurrencies: [1, 16, 64],
  rounds: 4,
  segmentSeconds: 1.5,
  warmupSeconds: 1,
  streams: [
    { pieces: 50, perRound: 40 },
    { pieces: 500, perRound: 15 },
  ],
  cacheSeconds: 1.5,
  cpuRequests: 4000,
  cpuConcurrency: 16,
  cpuStreams: 60,
  pacedStreams: { count: 48, pieces: 100, delayMs: 5 },
  streamThroughput: { pieces: 50, concurrency: 16 },
  jsStream: { pieces: 1000, delayMs: 1, count: 5 },
  peers: true,
  portkeyWorker: true,
  coldStarts: 5,
  memoryStreams: 1000,
  floor: true,
  wranglerDev: true,
  featureCosts: {
    rounds: 4,
    cpuRequests: 2500,
    cpuConcurrency: 16,
    latencySeconds: 1.5,
    streamPieces: 50,
    streamsPerRound: 30,
    cpuStreams: 30,
    streamConcurrency: 4,
  },
};

export const SMOKE: BenchSettings = {
  profile: 'smoke',
  resultsFile: 'results.smoke.json',
  concurrencies: [16],
  rounds: 2,
  segmentSeconds: 0.5,
  warmupSeconds: 0.3,
  streams: [{ pieces: 50, perRound: 5 }],
  cacheSeconds: 0.3,
  cpuRequests: 300,
  cpuConcurrency: 16,
  cpuStreams: 5,
  pacedStreams: { count: 16, pieces: 20, delayMs: 5 },
  streamThroughput: { pieces: 50, concurrency: 16 },
  jsStream: null,
  peers: false,
  portkeyWorker: true,
  coldStarts: 1,
  memoryStreams: 0,
  floor: false,
  wranglerDev: false,
  featureCosts: {
    rounds: 2,
    cpuRequests: 200,
    cpuConcurrency: 16,
    latencySeconds: 0.3,
    streamPieces: 50,
    streamsPerRound: 4,
    cpuStreams: 4,
    streamConcurrency: 4,
  },
};
