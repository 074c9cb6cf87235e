// What a server-side tool is: one file per tool exports one of these, and the registry lists it.
import type { JsonObject } from '../core/types.ts';

/** What a tool may use while it runs; nothing else reaches it. */
export interface ToolContext {
  /** The Worker's vars and secrets (read them with `readVariable`). */
  readonly env: object;
  /** Aborts when the tool's timeout passes, the request's deadline passes, or the client goes away. */
  readonly signal: AbortSignal;
  /** A `fetch` that reaches only the hosts the tool declares, and stops when `signal` aborts. */
  readonly fetch: typeof fetch;
  /** Monotonic milliseconds (same clock as `now`) by which the request must have answered. */
  readonly deadlineAt: number;
  readonly now: () => number;
}

/**
 * A tool the gateway runs itself. `execute` gets arguments already validated against `parameters`;
 * it returns text or any JSON value (sent to the model as JSON), and throws to report an error the model can read.
 *
 * @example
 * export const echo = defineTool<{ text: string }>({
 *   name: 'echo', description: 'Repeats the text.', hosts: [],
 *   parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
 *   execute: ({ text }) => text,
 * });
 */
export interface Tool<Args = unknown> {
  /** The function name the model sees: letters, digits, `_` and `-`, up to 64. */
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: JsonObject;
  /** Hosts (`host[:port]`, as in `URL.host`) its fetch may reach; a function when they come from configuration. */
  readonly hosts: readonly string[] | ((env: object) => readonly string[]);
  /** Its own time limit; the registry's default otherwise. */
  readonly timeoutMs?: number;
  execute(args: Args, context: ToolContext): unknown;
}

/** Types a tool's arguments for its own file; the registry holds them all as `Tool`. */
export const defineTool = <Args>(tool: Tool<Args>): Tool => tool as Tool;
