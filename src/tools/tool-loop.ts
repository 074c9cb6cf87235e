// The server-side agent loop, as the outermost pipeline stage: call the model with the tool definitions,
// run the tools it asks for, feed the results back, repeat until it answers or the bound is hit.
import { childController } from '../core/abort.ts';
import type { CallLimits } from '../core/limit-state.ts';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam } from '../core/types.ts';
import { abortReason, asGatewayError, clientClosed } from '../errors.ts';
import type { Answer, Call, CallModel, CallRequest, CacheStatus, GatewayEvent, Outcome, Stage } from '../gateway/types.ts';
import { StepAccount } from '../loops/step-account.ts';
import { ChunkAccumulator } from '../stream/accumulate.ts';
import { replay } from '../stream/replay.ts';
import { finishChunks, toolCallsOf } from './finish-chunks.ts';
import { SentAnswer } from './sent-answer.ts';
import type { ToolLoopReport } from './loop-report.ts';
import type { ToolCall, ToolRunContext } from './run-tool-calls.ts';
import { runServerStep } from './server-step.ts';
import { SubrequestBudget } from './subrequest-budget.ts';
import type { ToolLoopOptions } from './tool-loop-options.ts';

export { TOOLS_FIELD, type ToolLoopReport } from './loop-report.ts';
export type { ToolLoopOptions } from './tool-loop-options.ts';

/**
 * The tool-loop stage. A request without `serverTools` passes straight through. Otherwise every
 * iteration calls `next` with the server tools added to `body.tools` (the client's kept), relays
 * content as it comes, holds back tool-call deltas, emits `tool_call` / `tool_result` events around
 * running the server calls (in parallel), and appends the assistant and `tool` messages. It ends when
 * the model answers without server tools, asks for a client tool (sent whole as `tool_calls`), or reaches
 * `maxIterations` (`finish_reason: "length"`, `gateway_tools.max_iterations_reached`). One signal
 * and one deadline cover every step; usage and cost are summed over the steps.
 *
 * @example
 * const callModel = toolLoop({ registry: new ToolRegistry(), env, fetch, now, sleep, timeoutMs: 10_000, resultMaxBytes: 16_384 })(inner);
 * callModel({ ...request, serverTools: { names: ['get_weather'], maxIterations: 5 } });
 */
export function toolLoop(options: ToolLoopOptions): Stage {
  return (next) => (request) => {
    const tools = request.serverTools;
    if (!tools || tools.names.length === 0) return next(request);
    return new ToolLoop(next, request, tools, options).start();
  };
}

interface Step {
  /** The step's whole answer, folded (server tool calls included). */
  readonly completion: ChatCompletion;
}

class ToolLoop {
  readonly #next: CallModel;
  readonly #request: CallRequest;
  readonly #names: ReadonlySet<string>;
  readonly #maxIterations: number;
  readonly #options: ToolLoopOptions;
  readonly #controller: AbortController;
  readonly #dispose: () => void;
  /** The one deadline of every step, and their attempts, usage and cost added up. */
  readonly #account: StepAccount;
  /** What the client was sent, folded: the outcome's completion. */
  readonly #sent = new SentAnswer();
  readonly #messages: ChatCompletionMessageParam[] = [];
  #cache: CacheStatus = 'BYPASS';
  /** The limits the latest step was reserved under: the loop's answer reports them. */
  #limits: CallLimits | undefined;
  #iterations = 0;
  /** Which bound ended the loop while the model still asked for server tools. */
  #boundHit: 'max_iterations' | 'max_subrequests' | undefined;
  readonly #subrequests: SubrequestBudget;
  /** Whether any step's upstream sent a usage chunk. */
  #usageChunks = false;
  /** A step whose outcome is not yet counted. */
  #pending: Call | undefined;
  #resolveOutcome!: (outcome: Outcome) => void;

  constructor(next: CallModel, request: CallRequest, tools: NonNullable<CallRequest['serverTools']>, options: ToolLoopOptions) {
    this.#next = next;
    this.#request = request;
    this.#names = new Set(tools.names);
    this.#maxIterations = tools.maxIterations;
    this.#options = options;
    const { controller, dispose } = childController(request.signal);
    this.#controller = controller;
    this.#dispose = dispose;
    this.#account = new StepAccount({ now: options.now, timeoutMs: request.policy.timeoutMs, name: 'The tool loop' });
    this.#subrequests = new SubrequestBudget(options.maxSubrequests);
  }

  start(): Call {
    const outcome = new Promise<Outcome>((resolve) => (this.#resolveOutcome = resolve));
    const first = this.#step();
    const answer = first.answer.then(
      (a): Answer => {
        this.#cache = a.cache;
        this.#limits = a.limits;
        const loop = this;
        return {
          target: a.target,
          attempts: a.attempts,
          cache: a.cache,
          ...(a.ageSeconds === undefined ? {} : { ageSeconds: a.ageSeconds }),
          // Read when the response is made: a non-stream answer's headers tell the state after its last step.
          get limits() {
            return loop.#limits;
          },
          events: this.#events(first, a),
        };
      },
      async (error: unknown) => {
        // Nothing started: the first step's outcome is the loop's.
        this.#resolveOutcome(await first.outcome);
        this.#dispose();
        throw error;
      },
    );
    return { answer, outcome };
  }

  /** Starts one model call: the client's messages plus the steps so far, the server tools offered beside the client's. */
  #step(): Call {
    this.#iterations++;
    const { serverTools: _loopDone, ...request } = this.#request;
    const body = request.body;
    const clientTools = Array.isArray(body.tools) ? body.tools : [];
    const tools = [...clientTools, ...this.#options.registry.definitions([...this.#names])];
    // A tool_choice that forces a call would ask for server tools until the bound: it holds for the first step only.
    const forced = this.#iterations > 1 && body.tool_choice !== undefined && body.tool_choice !== 'auto' && body.tool_choice !== 'none';
    // Each attempt is one outbound request: a step may make at most what is left of MAX_SUBREQUESTS (at least 1, see #events).
    const left = Math.max(1, this.#subrequests.remaining);
    const [first, ...fallbacks] = request.targets;
    const targets = [first, ...fallbacks.slice(0, left - 1)] as const;
    const maxAttempts = Math.min(request.policy.maxAttempts, Math.max(1, Math.floor(left / targets.length)));
    const call = this.#next({
      ...request,
      targets,
      body: { ...body, messages: [...body.messages, ...this.#messages], tools, ...(forced ? { tool_choice: 'auto' } : {}) },
      signal: this.#controller.signal,
      // The loop's one deadline: each step may only use what is left of it.
      policy: { ...request.policy, maxAttempts, timeoutMs: this.#account.timeLeft() },
    });
    this.#pending = call;
    return call;
  }

  async *#events(firstCall: Call, firstAnswer: Answer): AsyncGenerator<GatewayEvent> {
    let call = firstCall;
    let answer = firstAnswer;
    let done = false;
    let failure: unknown;
    try {
      for (;;) {
        const step = yield* this.#relay(answer);
        await this.#count(call);
        const calls = toolCallsOf(step.completion);
        const server = calls.filter((c) => this.#names.has(c.name));
        const client = calls.filter((c) => !this.#names.has(c.name));
        if (server.length === 0) {
          yield* this.#finish(step, client, undefined);
        } else if (client.length === 0 && (this.#iterations >= this.#maxIterations || this.#subrequests.remaining < 1)) {
          // The model still wants tools but may not be called again: their results would never be read, so they are not run.
          this.#boundHit = this.#iterations >= this.#maxIterations ? 'max_iterations' : 'max_subrequests';
          console.warn(
            JSON.stringify({
              event: 'tool_loop_bound',
              bound: this.#boundHit,
              iterations: this.#iterations,
              max_iterations: this.#maxIterations,
              subrequests: this.#subrequests.used,
              max_subrequests: this.#subrequests.max,
              tools: server.map((c) => c.name),
            }),
          );
          yield* this.#finish(step, [], 'length');
        } else {
          yield* this.#runTools(step.completion, calls, server);
          if (client.length > 0) yield* this.#finish(step, client, 'tool_calls');
          else {
            this.#account.checkContinue(this.#controller.signal);
            call = this.#step();
            answer = await call.answer;
            this.#limits = answer.limits ?? this.#limits;
            continue;
          }
        }
        done = true;
        return;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // The reader stopped early: stop the step and the tools in flight.
      if (!done && failure === undefined) this.#controller.abort(clientClosed());
      await this.#count(this.#pending).catch(() => {});
      this.#end(done, failure);
    }
  }

  /**
   * Relays one step's answer: content as it comes (a completion taken whole for a non-stream request, replayed for a
   * stream). Tool-call deltas, finish reasons and usage are held back: whether a call is the client's is known only
   * once its name is whole, and how the answer ends only once the loop has decided.
   */
  async *#relay(answer: Answer): AsyncGenerator<GatewayEvent, Step> {
    const step = new ChunkAccumulator();
    let whole: ChatCompletion | undefined;
    for await (const event of answer.events) {
      if (event.type === 'completion' && !this.#request.stream) {
        whole = event.completion;
        this.#sent.take(whole);
      } else if (event.type === 'chunks' || event.type === 'completion') {
        const chunks = event.type === 'chunks' ? event.chunks : replay(event.completion);
        const out: ChatCompletionChunk[] = [];
        for (const chunk of chunks) {
          step.add(chunk);
          if (chunk.usage) this.#usageChunks = true;
          const relayed = this.#sent.pass(chunk);
          if (relayed) out.push(relayed);
        }
        if (out.length > 0 && this.#request.stream) yield { type: 'chunks', chunks: out };
      } else yield event;
    }
    return { completion: whole ?? step.result() };
  }

  /** Runs the server calls of a step (their events relayed), then appends the assistant and `tool` messages. */
  async *#runTools(completion: ChatCompletion, all: readonly ToolCall[], server: readonly ToolCall[]): AsyncGenerator<GatewayEvent> {
    const context: ToolRunContext = {
      env: this.#options.env,
      signal: this.#controller.signal,
      fetch: this.#options.fetch,
      now: this.#options.now,
      deadlineAt: this.#account.deadlineAt,
      timeoutMs: this.#options.timeoutMs,
      resultMaxBytes: this.#options.resultMaxBytes,
      maxCalls: this.#options.maxCallsPerTurn,
      budget: this.#subrequests,
      sleep: this.#options.sleep,
    };
    const step = yield* runServerStep(completion, all, server, this.#options.registry, context);
    this.#messages.push(...step.messages);
    this.#account.countTools(step.results);
  }

  /** Ends the answer: the client's tool calls, the finish reason (the loop's when it decided, else the model's), the report, the summed usage. */
  *#finish(step: Step, client: readonly ToolCall[], reason: 'length' | 'tool_calls' | undefined): Generator<GatewayEvent> {
    const chunks = finishChunks({
      head: this.#sent.headOr(step.completion),
      last: step.completion,
      clientCalls: client,
      reason,
      report: this.#report(),
      usage: this.#usageChunks ? this.#account.usage : undefined,
    });
    this.#sent.end(chunks);
    if (this.#request.stream) yield { type: 'chunks', chunks };
    else yield { type: 'completion', completion: this.#sentCompletion() };
  }

  #report(): ToolLoopReport {
    return {
      iterations: this.#iterations,
      max_iterations: this.#maxIterations,
      max_iterations_reached: this.#boundHit === 'max_iterations',
      max_subrequests_reached: this.#boundHit === 'max_subrequests',
      messages: [...this.#messages],
    };
  }

  #sentCompletion(): ChatCompletion {
    return this.#sent.completion(this.#account.usage, this.#report());
  }

  /** Counts a finished step: its attempts, usage and cost. Throws the step's error if it did not end well. */
  async #count(call: Call | undefined): Promise<void> {
    if (!call) return;
    this.#pending = undefined;
    const outcome = await call.outcome;
    this.#account.count(outcome);
    // An attempt is at most one outbound request (a cooldown skip counts too: an upper bound is what the limit needs).
    this.#subrequests.spend(outcome.attempts.length);
    if (outcome.status !== 'ok') throw outcome.error ?? abortReason(this.#controller.signal);
  }

  #end(done: boolean, failure: unknown): void {
    this.#dispose();
    const error = done ? undefined : failure === undefined ? abortReason(this.#controller.signal) : asGatewayError(failure);
    this.#resolveOutcome(
      this.#account.outcome({
        status: done ? 'ok' : this.#request.signal.aborted || failure === undefined ? 'aborted' : 'error',
        completion: this.#sent.started ? this.#sentCompletion() : undefined,
        cache: this.#cache,
        error,
        loop: {
          iterations: this.#iterations,
          maxIterationsReached: this.#boundHit === 'max_iterations',
          maxSubrequestsReached: this.#boundHit === 'max_subrequests',
        },
      }),
    );
  }
}
