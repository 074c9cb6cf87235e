import type { ChatCompletionMessageParam } from '../core/types.ts';

/** The extension field on the final chunk and on the completion that reports what the loop did. */
export const TOOLS_FIELD = 'gateway_tools';

/** The value of TOOLS_FIELD. */
export interface ToolLoopReport {
  /** Model calls made. */
  readonly iterations: number;
  readonly max_iterations: number;
  /** True when the model still asked for server tools at the last allowed call (`finish_reason` is then "length"). */
  readonly max_iterations_reached: boolean;
  /** True when the model still asked for server tools but MAX_SUBREQUESTS left no request to call it again (`finish_reason` "length"). */
  readonly max_subrequests_reached: boolean;
  /**
   * The messages the server steps added after the client's own: each assistant message with its
   * `tool_calls`, then one `tool` message per server call. A client answering client tool calls appends
   * these, then its own `tool` messages, and calls again.
   */
  readonly messages: readonly ChatCompletionMessageParam[];
}
