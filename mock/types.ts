// Shapes of the `mock` directive a test puts in the chat request body.
// Field names are snake_case because they travel inside OpenAI-style JSON.

export interface ToolCallDirective {
  name: string;
  arguments: string | Record<string, unknown> | unknown[];
  id?: string;
}

export type UsageIn = 'separate' | 'last_chunk' | 'x_groq' | 'none';

export interface StreamDirective {
  chunk_delay_ms?: number;
  cut_after?: number;
  stall_after?: number;
  malformed_after?: number;
  error_after?: number;
  event_error_after?: number;
  no_done?: boolean;
  comments?: boolean;
  crlf?: boolean;
  usage_in?: UsageIn;
  tool_index_base?: number;
  tool_calls_whole?: boolean;
  role_every_chunk?: boolean;
  pieces?: number;
  repeat?: number;
  fragment?: number;
}

export interface RawDirective {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export interface UsageDirective {
  prompt_tokens?: number;
  completion_tokens?: number;
}

export interface Directive {
  id?: string;
  steps?: Directive[];
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delay_ms?: number;
  stall?: boolean;
  reset?: boolean;
  content?: string;
  tool_calls?: ToolCallDirective[];
  refusal?: string;
  finish_reason?: string;
  usage?: UsageDirective;
  fragment?: number;
  stream?: StreamDirective;
  fixture?: string;
  raw?: RawDirective;
  /** Writes the key the request carried wherever a string says `{{key}}` (see echo-key.ts). */
  echo_key?: boolean;
}

export type JsonObject = Record<string, unknown>;
