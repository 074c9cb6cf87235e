import type { ToolRegistry } from './registry.ts';

/** What the loop needs from the composition root. */
export interface ToolLoopOptions {
  readonly registry: ToolRegistry;
  readonly env: object;
  /** Unrestricted; each tool gets it narrowed to its declared hosts. */
  readonly fetch: typeof fetch;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Default time limit of one tool call (TOOL_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** TOOL_RESULT_MAX_BYTES. */
  readonly resultMaxBytes: number;
  /** TOOLS_MAX_CALLS_PER_TURN: server calls run from one model answer; the rest are answered as errors. */
  readonly maxCallsPerTurn: number;
  /** MAX_SUBREQUESTS: outbound requests (model attempts and tool fetches) of the whole loop. */
  readonly maxSubrequests: number;
  /** Waits `ms` or rejects when the signal aborts (tool timeouts), on the gateway's clock. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}
