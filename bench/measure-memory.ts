// Memory: workerd's resident set with many slow streams held open through the gateway at once (and,
// for reference, through a bare fetch proxy in its own fresh workerd: the runtime's share per stream).
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMiB } from './proc.ts';
import { slowStreamBody, streamBody, type Target } from './requests.ts';
import { holdStreams, streamRun } from './stream-run.ts';

export interface MemoryFigures {
  readonly streams: number;
  /** Before the streams: a fresh process that has answered one short stream. */
  readonly idleRssMiB: number;
  readonly heldRssMiB: number;
  /** (held − idle) / streams */
  readonly perStreamKiB: number;
  /** A second after every stream was aborted. */
  readonly afterRssMiB: number;
  /** How long it took until every stream had its first bytes, ms. */
  readonly openMs: number;
  /** The isolate's JavaScript heap in use (V8, through the inspector), when known: what Workers' 128 MB limit counts. */
  readonly heapUsedMiB?: { readonly idle: number; readonly held: number };
}

/** Reads the isolate's used JS heap in MiB (Runtime.getHeapUsage over the inspector). */
export type HeapReader = () => Promise<number>;

/** Opens `count` slow streams through a target, reads workerd's VmRSS while all are open, then aborts them. */
export async function measureMemory(
  pid: number,
  gateway: Target,
  count: number,
  log: (line: string) => void,
  heap?: HeapReader,
): Promise<MemoryFigures> {
  log(`memory: ${count} concurrent open streams through ${gateway.name}`);
  await streamRun(gateway, streamBody(5), 1);
  const idleRssMiB = rssMiB(pid);
  const idleHeap = heap ? await heap() : undefined;
  const started = performance.now();
  const held = await holdStreams(gateway, slowStreamBody(), count);
  const openMs = performance.now() - started;
  // Let the first chunk of every stream settle through the runtime before reading.
  await sleep(300);
  const heldRssMiB = rssMiB(pid);
  const heldHeap = heap ? await heap() : undefined;
  await held.close();
  await sleep(1000);
  const afterRssMiB = rssMiB(pid);
  return {
    streams: count,
    idleRssMiB,
    heldRssMiB,
    perStreamKiB: ((heldRssMiB - idleRssMiB) * 1024) / count,
    afterRssMiB,
    openMs,
    ...(idleHeap !== undefined && heldHeap !== undefined ? { heapUsedMiB: { idle: idleHeap, held: heldHeap } } : {}),
  };
}
