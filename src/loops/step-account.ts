// The account of a loop over the pipeline (the tool loop, /extract's re-ask): one deadline for every step, each
// finished step's attempts, usage and cost added up, and the one outcome the loop ends with.
import { abortReason, GatewayError } from '../errors.ts';
import type { Attempt, Cost, Outcome, ToolRun, Usage } from '../gateway/types.ts';
import type { Target } from '../providers/target.ts';
import { addCost, addUsage } from '../core/sum-usage.ts';

/** What a step account needs: the clock, the loop's deadline, and how its 504 names the loop. */
export interface StepAccountOptions {
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** The whole loop's time limit (the request's REQUEST_TIMEOUT_MS or `x-gateway-timeout-ms`). */
  readonly timeoutMs: number;
  /** The loop as its deadline error names it ("The tool loop"). */
  readonly name: string;
}

/**
 * The running account of a loop's steps.
 * @example
 * const account = new StepAccount({ now, timeoutMs: 30_000, name: 'The tool loop' });
 * const call = next({ ...request, policy: { ...request.policy, timeoutMs: account.timeLeft() } });
 * account.count(await call.outcome);
 * account.checkContinue(signal); // before calling again: throws the abort reason, or a 504 past the deadline
 */
export class StepAccount {
  readonly deadlineAt: number;
  readonly #options: StepAccountOptions;
  readonly #attempts: Attempt[] = [];
  readonly #tools: ToolRun[] = [];
  #usage: Usage | undefined;
  #cost: Cost | undefined;
  #target: Target | undefined;

  constructor(options: StepAccountOptions) {
    this.#options = options;
    this.deadlineAt = options.now() + options.timeoutMs;
  }

  /** What is left of the deadline for the next step: at least 1 ms, so a step still starts (and times out) on the clock. */
  timeLeft(): number {
    return Math.max(1, this.deadlineAt - this.#options.now());
  }

  /** Throws when the loop may not call again: the abort reason when `signal` aborted, a 504 once the deadline has passed. */
  checkContinue(signal: AbortSignal): void {
    if (signal.aborted) throw abortReason(signal);
    if (this.#options.now() >= this.deadlineAt)
      throw new GatewayError(504, `${this.#options.name} did not finish within the request's deadline of ${this.#options.timeoutMs} ms.`, {
        type: 'timeout_error',
        code: 'timeout',
      });
  }

  /** Adds a finished step: its attempts, usage and cost; its target becomes the loop's. */
  count(outcome: Outcome): void {
    this.#attempts.push(...outcome.attempts);
    this.#usage = addUsage(this.#usage, outcome.usage);
    this.#cost = addCost(this.#cost, outcome.cost);
    this.#target = outcome.target ?? this.#target;
  }

  /** Adds the server tools a step ran. */
  countTools(runs: readonly ToolRun[]): void {
    for (const { id, name, at, ms, error } of runs) this.#tools.push({ id, name, at, ms, ...(error === undefined ? {} : { error }) });
  }

  /** The loop's one outcome: every step's attempts and tools, the summed usage and cost, and how the loop itself ended (with its report, if it gives one). */
  outcome(end: Pick<Outcome, 'status' | 'completion' | 'cache' | 'error' | 'loop'>): Outcome {
    const tools = this.#tools.length > 0 ? { tools: this.#tools } : {};
    return { ...end, target: this.#target, attempts: this.#attempts, usage: this.#usage, cost: this.#cost, ...tools };
  }

  /** The usage summed so far (the loop's last chunk reports it). */
  get usage(): Usage | undefined {
    return this.#usage;
  }
}
