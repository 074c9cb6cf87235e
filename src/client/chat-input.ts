/** A message of a conversation, in OpenAI's Chat Completions shape. */
export interface ChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  readonly content: string | null;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: readonly {
    readonly id: string;
    readonly type: 'function';
    readonly function: { readonly name: string; readonly arguments: string };
  }[];
}

/** The input of `/chat` and `/stream`: `messages` or `prompt`, and the usual parameters. */
export interface ChatInput {
  readonly messages?: readonly ChatMessage[];
  readonly prompt?: string;
  readonly system?: string;
  /** `provider/model`, an alias, or omitted for the gateway's default model. */
  readonly model?: string;
  /** Fallback models, tried in order when `model` fails with an error another model may not have. */
  readonly models?: readonly string[];
  readonly temperature?: number;
  readonly max_tokens?: number;
  readonly top_p?: number;
  readonly seed?: number;
  readonly stop?: string | readonly string[];
  /** Server tools by name (`["get_weather"]`), or OpenAI tool definitions the client runs itself. */
  readonly tools?: readonly unknown[];
  readonly tool_choice?: unknown;
  /** How many model calls the server-tool loop may make (the deployer's TOOLS_MAX_ITERATIONS bounds it). */
  readonly max_iterations?: number;
}

/** Every field of `/chat` and `/stream`: the gateway refuses any other (so does this list, by dropping it). */
export const CHAT_INPUT_FIELDS = [
  'messages',
  'prompt',
  'system',
  'model',
  'models',
  'temperature',
  'max_tokens',
  'top_p',
  'seed',
  'stop',
  'tools',
  'tool_choice',
  'max_iterations',
] as const satisfies readonly (keyof ChatInput)[];

/** The request body: only the chat fields (the gateway refuses unknown ones), without the undefined ones. */
export function chatBody(input: ChatInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of CHAT_INPUT_FIELDS) if (input[field] !== undefined) body[field] = input[field];
  return body;
}
