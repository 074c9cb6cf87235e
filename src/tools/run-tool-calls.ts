import { childController } from '../core/abort.ts';
import { isJsonObject } from '../core/types.ts';
import { hostRestrictedFetch } from './host-fetch.ts';
import type { ToolRegistry } from './registry.ts';
import type { SubrequestBudget } from './subrequest-budget.ts';

/** One call the model asked for, its arguments still the raw JSON text it wrote. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** How one call went; `content` is what the model reads (the result, or `error: …`), already size-capped. */
export interface ToolResult {
  readonly id: string;
  readonly name: string;
  readonly result?: string;
  readonly error?: string;
  readonly content: string;
  /** When it started (the context's monotonic clock) and how long it took. */
  readonly at: number;
  readonly ms: number;
}

/** What running tools needs from the request and the deployment. */
export interface ToolRunContext {
  readonly env: object;
  /** The request's signal: aborting it aborts every tool. */
  readonly signal: AbortSignal;
  /** The unrestricted fetch; each tool gets it narrowed to its hosts. */
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Monotonic ms; no tool runs past it. */
  readonly deadlineAt: number;
  /** Time limit of a tool that declares none. */
  readonly timeoutMs: number;
  readonly resultMaxBytes: number;
  /** Most calls run from one answer (TOOLS_MAX_CALLS_PER_TURN); the calls past it are answered as errors, never run. Unbounded when absent. */
  readonly maxCalls?: number;
  /** The request's outbound requests: every tool fetch takes one, and one is always kept for the model call after the tools. Uncounted when absent. */
  readonly budget?: SubrequestBudget;
  /** Waits `ms` or rejects when the signal aborts (the gateway's clock: tests control time). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Runs every call at once (the first `maxCalls` of them; the rest settle at once as errors); each settles to a
 * result (never rejects): unknown tool, bad arguments, a throw or a timeout become `error: …`.
 */
export function runToolCalls(calls: readonly ToolCall[], registry: ToolRegistry, context: ToolRunContext): Promise<ToolResult[]> {
  return Promise.all(startToolCalls(calls, registry, context));
}

/** Like runToolCalls, one promise per call, so a caller can report each as it finishes. */
export function startToolCalls(calls: readonly ToolCall[], registry: ToolRegistry, context: ToolRunContext): Promise<ToolResult>[] {
  const max = context.maxCalls ?? calls.length;
  return calls.map((call, i) =>
    i < max
      ? runOne(call, registry, context)
      : Promise.resolve(
          settled(call, context, context.now(), 0, {
            error: `not run: this answer asked for ${calls.length} tool calls and at most ${max} run per answer (TOOLS_MAX_CALLS_PER_TURN); ask for fewer at a time`,
          }),
        ),
  );
}

/** A call's result as the model reads it, size-capped. */
function settled(
  call: ToolCall,
  context: ToolRunContext,
  at: number,
  ms: number,
  outcome: { result: string } | { error: string },
): ToolResult {
  if ('result' in outcome) {
    const result = capBytes(outcome.result, context.resultMaxBytes);
    return { id: call.id, name: call.name, result, content: result, at, ms };
  }
  const content = capBytes(`error: ${outcome.error}`, context.resultMaxBytes);
  return { id: call.id, name: call.name, error: content.slice('error: '.length), content, at, ms };
}

async function runOne(call: ToolCall, registry: ToolRegistry, context: ToolRunContext): Promise<ToolResult> {
  const started = context.now();
  const settle = (outcome: { result: string } | { error: string }): ToolResult =>
    settled(call, context, started, Math.round(context.now() - started), outcome);

  const registered = registry.get(call.name);
  if (!registered) return settle({ error: `unknown tool "${call.name}"; the tools here are ${registry.names().join(', ')}` });
  let args: unknown;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (e) {
    return settle({ error: `the arguments are not valid JSON (${e instanceof Error ? e.message : String(e)}); send one JSON object` });
  }
  if (!isJsonObject(args)) return settle({ error: 'the arguments must be one JSON object' });
  const invalid = registered.check(args);
  if (invalid) return settle({ error: `invalid arguments: ${invalid}` });

  const { tool } = registered;
  const limit = Math.min(tool.timeoutMs ?? context.timeoutMs, context.deadlineAt - context.now());
  const { controller, dispose } = childController(context.signal);
  const timer = new AbortController();
  const timedOut = new Error(
    limit < (tool.timeoutMs ?? context.timeoutMs)
      ? `${tool.name} was stopped: the request's deadline passed`
      : `${tool.name} timed out after ${limit} ms`,
  );
  context.sleep(Math.max(0, limit), timer.signal).then(
    () => controller.abort(timedOut),
    () => {},
  );
  // A tool that ignores its signal still loses the race: the loop never waits on a hung tool.
  const stopped = new Promise<never>((_, reject) => {
    const fail = () =>
      reject(controller.signal.reason === timedOut ? timedOut : new Error(`${tool.name} was cancelled: the request was aborted`));
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener('abort', fail, { once: true });
  });
  try {
    const hosts = typeof tool.hosts === 'function' ? tool.hosts(context.env) : tool.hosts;
    // The host check comes first: a refused host spends none of the request's outbound requests.
    const counted = context.budget ? context.budget.limit(context.fetch, tool.name, 1) : context.fetch;
    const fetch = hostRestrictedFetch(counted, hosts, controller.signal, tool.name);
    const value = await Promise.race([
      Promise.resolve().then(() =>
        tool.execute(args, { env: context.env, signal: controller.signal, fetch, deadlineAt: context.deadlineAt, now: context.now }),
      ),
      stopped,
    ]);
    return settle({ result: typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null') });
  } catch (e) {
    return settle({ error: e instanceof Error ? e.message : String(e) });
  } finally {
    timer.abort();
    dispose();
    // Whatever the tool still has in flight (a fetch after a timeout) is cancelled.
    if (!controller.signal.aborted) controller.abort(new Error(`${tool.name} finished`));
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Cuts text to `max` UTF-8 bytes (never mid-character), saying that it was cut and from how much. */
export function capBytes(text: string, max: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= max) return text;
  const note = ` …[cut: ${bytes.length} bytes, limit ${max}]`;
  const keep = Math.max(0, max - encoder.encode(note).length);
  // A cut inside a multi-byte character decodes to U+FFFD; drop it rather than send a broken character.
  return decoder.decode(bytes.subarray(0, keep)).replace(/\uFFFD$/, '') + note;
}
