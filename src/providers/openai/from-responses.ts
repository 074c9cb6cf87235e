// OpenAI's Responses API answer (a Response object, or its event stream) as chat completions, so that every stage
// after the wire (usage, cost, budgets, cache, the log line) reads it as it reads any other answer.
import type { ChatCompletion, ChatCompletionChunk, CompletionUsage, JsonObject } from '../../core/types.ts';
import { isJsonObject } from '../../core/types.ts';

type Finish = ChatCompletionChunk.Choice['finish_reason'];
type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

/** A Response's `usage` (input/output tokens and their details) as chat usage; undefined when it has none. */
export function chatUsage(usage: unknown): CompletionUsage | undefined {
  if (!isJsonObject(usage)) return undefined;
  const count = (value: unknown) => (typeof value === 'number' ? value : 0);
  const prompt = count(usage['input_tokens']);
  const completion = count(usage['output_tokens']);
  const input = isJsonObject(usage['input_tokens_details']) ? usage['input_tokens_details'] : {};
  const output = isJsonObject(usage['output_tokens_details']) ? usage['output_tokens_details'] : {};
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof usage['total_tokens'] === 'number' ? usage['total_tokens'] : prompt + completion,
    prompt_tokens_details: { cached_tokens: count(input['cached_tokens']) },
    completion_tokens_details: { reasoning_tokens: count(output['reasoning_tokens']) },
  };
}

/** The finish reason of a finished Response: cut short (`incomplete`) is `length`, tool calls are `tool_calls`. */
function finishOf(response: JsonObject, calledTools: boolean): Finish {
  if (response['status'] === 'incomplete') {
    const details = response['incomplete_details'];
    return isJsonObject(details) && details['reason'] === 'content_filter' ? 'content_filter' : 'length';
  }
  return calledTools ? 'tool_calls' : 'stop';
}

/** A function (or Codex's custom) tool call item as a chat tool call. */
function toolCallOf(item: JsonObject): ToolCall | undefined {
  if (item['type'] === 'function_call')
    return {
      id: String(item['call_id'] ?? item['id']),
      type: 'function',
      function: { name: String(item['name']), arguments: String(item['arguments'] ?? '') },
    };
  if (item['type'] === 'custom_tool_call')
    return {
      id: String(item['call_id'] ?? item['id']),
      type: 'function',
      function: { name: String(item['name']), arguments: String(item['input'] ?? '') },
    };
  return undefined;
}

/** A whole Response object as one chat completion (its text, refusal, tool calls, finish reason and usage). */
export function completionOfResponse(response: JsonObject, model: string): ChatCompletion {
  let content = '';
  let refusal = '';
  const calls: ToolCall[] = [];
  for (const item of Array.isArray(response['output']) ? response['output'] : []) {
    if (!isJsonObject(item)) continue;
    const call = toolCallOf(item);
    if (call) calls.push(call);
    if (item['type'] !== 'message' || !Array.isArray(item['content'])) continue;
    for (const part of item['content']) {
      if (!isJsonObject(part)) continue;
      if (part['type'] === 'output_text') content += String(part['text'] ?? '');
      if (part['type'] === 'refusal') refusal += String(part['refusal'] ?? '');
    }
  }
  const message: JsonObject = { role: 'assistant', content: content === '' && calls.length > 0 ? null : content, refusal: refusal || null };
  if (calls.length > 0) message['tool_calls'] = calls;
  const usage = chatUsage(response['usage']);
  return {
    id: String(response['id'] ?? ''),
    object: 'chat.completion',
    created: typeof response['created_at'] === 'number' ? response['created_at'] : Math.floor(Date.now() / 1000),
    model: typeof response['model'] === 'string' ? response['model'] : model,
    choices: [{ index: 0, message, finish_reason: finishOf(response, calls.length > 0), logprobs: null }],
    ...(usage ? { usage } : {}),
  } as unknown as ChatCompletion;
}

/**
 * A Responses event stream, event by event, as chat completion chunks: output text and refusal deltas as content,
 * function and custom tool calls (one chat index each, in output order) as tool call deltas, and the final
 * `response.completed` / `response.incomplete` as the finish and usage chunks. One per stream.
 */
export class ResponsesStreamTranslator {
  readonly #model: string;
  #id = '';
  #created = Math.floor(Date.now() / 1000);
  /** Chat tool-call indexes by the output index of their item. */
  readonly #calls = new Map<number, number>();
  #finished = false;

  constructor(model: string) {
    this.#model = model;
  }

  /** Whether the response's final event came. */
  get finished(): boolean {
    return this.#finished;
  }

  #chunk(delta: JsonObject, finish: Finish = null, usage?: CompletionUsage): ChatCompletionChunk {
    return {
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#model,
      choices: usage && finish === null ? [] : [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      ...(usage ? { usage } : {}),
    } as unknown as ChatCompletionChunk;
  }

  /** The chunks one event stands for (none for most). */
  push(json: JsonObject): ChatCompletionChunk[] {
    const type = json['type'];
    const response = isJsonObject(json['response']) ? json['response'] : undefined;
    if (type === 'response.created' && response) {
      this.#id = String(response['id'] ?? '');
      if (typeof response['created_at'] === 'number') this.#created = response['created_at'];
      return [this.#chunk({ role: 'assistant', content: '' })];
    }
    if (type === 'response.output_text.delta') return [this.#chunk({ content: String(json['delta'] ?? '') })];
    if (type === 'response.refusal.delta') return [this.#chunk({ refusal: String(json['delta'] ?? '') })];
    if (type === 'response.output_item.added' && isJsonObject(json['item'])) {
      const call = toolCallOf(json['item']);
      if (!call) return [];
      const index = this.#calls.size;
      this.#calls.set(Number(json['output_index']), index);
      return [
        this.#chunk({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } },
          ],
        }),
      ];
    }
    if (type === 'response.function_call_arguments.delta' || type === 'response.custom_tool_call_input.delta') {
      const index = this.#calls.get(Number(json['output_index']));
      if (index === undefined) return [];
      return [this.#chunk({ tool_calls: [{ index, function: { arguments: String(json['delta'] ?? '') } }] })];
    }
    if ((type === 'response.completed' || type === 'response.incomplete') && response) {
      this.#finished = true;
      const usage = chatUsage(response['usage']);
      const finish = this.#chunk({}, finishOf(response, this.#calls.size > 0));
      return usage ? [finish, this.#chunk({}, null, usage)] : [finish];
    }
    return [];
  }
}
