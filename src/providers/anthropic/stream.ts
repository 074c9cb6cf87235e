import type { ChatCompletionChunk, JsonObject } from '../../core/types.ts';
import { isJsonObject } from '../../core/types.ts';
import type { Target } from '../target.ts';
import { anthropicError } from './errors.ts';
import { finishFromAnthropic, usageFromAnthropic } from './usage.ts';

interface OpenBlock {
  readonly type: string;
  /** The tool call's index among this answer's tool calls. */
  readonly toolIndex?: number;
  thinking: string;
  signature: string;
  /** Whether any argument text arrived (a tool without parameters sends only an empty fragment). */
  hasArguments: boolean;
}

/**
 * Turns Messages API stream events into chat-completion chunks: text deltas into content, `tool_use` blocks
 * into tool calls whose `input_json_delta` fragments are argument fragments, thinking into `reasoning_content`
 * (and, once the block ends, the whole block with its signature as `thinking_blocks`), `message_delta` into
 * the finish reason and a final usage chunk, and an `error` event into the error that ends the stream.
 */
export class MessageStreamTranslator {
  readonly #target: Target;
  readonly #created: number;
  #id = '';
  #model: string;
  #usage: JsonObject = {};
  #toolCount = 0;
  #finished = false;
  readonly #blocks = new Map<number, OpenBlock>();

  constructor(target: Target, created: number) {
    this.#target = target;
    this.#model = target.model;
    this.#created = created;
  }

  /** Whether the answer reached its stop reason (a stream that ends before it was cut). */
  get finished(): boolean {
    return this.#finished;
  }

  /** The chunks one event stands for (often none: pings, block starts of text, stops). */
  push(name: string | undefined, data: unknown): ChatCompletionChunk[] {
    if (!isJsonObject(data)) return [];
    const type = typeof data['type'] === 'string' ? data['type'] : name;
    switch (type) {
      case 'message_start':
        return this.#start(data['message']);
      case 'content_block_start':
        return this.#blockStart(Number(data['index']), data['content_block']);
      case 'content_block_delta':
        return this.#blockDelta(Number(data['index']), data['delta']);
      case 'content_block_stop':
        return this.#blockStop(Number(data['index']));
      case 'message_delta':
        return this.#messageDelta(data);
      case 'error':
        throw anthropicError(
          isJsonObject(data['error']) && data['error']['type'] === 'overloaded_error' ? 529 : 502,
          data,
          undefined,
          this.#target,
        );
      default:
        return []; // ping, message_stop, and event types added later
    }
  }

  #chunk(delta: JsonObject, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk {
    return {
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    } as ChatCompletionChunk;
  }

  #start(message: unknown): ChatCompletionChunk[] {
    if (!isJsonObject(message)) return [];
    this.#id = typeof message['id'] === 'string' ? message['id'] : `chatcmpl-${crypto.randomUUID()}`;
    if (typeof message['model'] === 'string') this.#model = message['model'];
    if (isJsonObject(message['usage'])) this.#usage = { ...message['usage'] };
    // No empty content here: an answer made only of tool calls has null content, as in the recording.
    return [this.#chunk({ role: 'assistant' })];
  }

  #blockStart(index: number, block: unknown): ChatCompletionChunk[] {
    if (!isJsonObject(block) || typeof block['type'] !== 'string') return [];
    const type = block['type'];
    if (type === 'tool_use') {
      const toolIndex = this.#toolCount++;
      this.#blocks.set(index, { type, toolIndex, thinking: '', signature: '', hasArguments: false });
      return [
        this.#chunk({
          tool_calls: [{ index: toolIndex, id: block['id'], type: 'function', function: { name: block['name'], arguments: '' } }],
        }),
      ];
    }
    this.#blocks.set(index, { type, thinking: '', signature: '', hasArguments: false });
    if (type === 'text' && typeof block['text'] === 'string' && block['text'] !== '') return [this.#chunk({ content: block['text'] })];
    // Redacted thinking arrives whole, with no deltas: it is passed on whole, to be sent back in the next turn.
    if (type === 'redacted_thinking') return [this.#chunk({ thinking_blocks: [block] })];
    return [];
  }

  #blockDelta(index: number, delta: unknown): ChatCompletionChunk[] {
    const block = this.#blocks.get(index);
    if (!isJsonObject(delta) || !block) return [];
    switch (delta['type']) {
      case 'text_delta':
        return typeof delta['text'] === 'string' && delta['text'] !== '' ? [this.#chunk({ content: delta['text'] })] : [];
      case 'input_json_delta': {
        const fragment = typeof delta['partial_json'] === 'string' ? delta['partial_json'] : '';
        // Server tools (web search) stream their input too; only the client's tool calls are passed on.
        if (fragment === '' || block.toolIndex === undefined) return [];
        block.hasArguments = true;
        return [this.#chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: fragment } }] })];
      }
      case 'thinking_delta': {
        const text = typeof delta['thinking'] === 'string' ? delta['thinking'] : '';
        block.thinking += text;
        return text === '' ? [] : [this.#chunk({ reasoning_content: text })];
      }
      case 'signature_delta':
        block.signature += typeof delta['signature'] === 'string' ? delta['signature'] : '';
        return [];
      default:
        return []; // citations_delta: citations have no place in a chat completion
    }
  }

  #blockStop(index: number): ChatCompletionChunk[] {
    const block = this.#blocks.get(index);
    this.#blocks.delete(index);
    if (!block) return [];
    // A tool without parameters sends only an empty fragment: `{}` keeps the arguments parseable JSON.
    if (block.toolIndex !== undefined && !block.hasArguments)
      return [this.#chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: '{}' } }] })];
    if (block.type === 'thinking')
      return [this.#chunk({ thinking_blocks: [{ type: 'thinking', thinking: block.thinking, signature: block.signature }] })];
    return [];
  }

  #messageDelta(data: JsonObject): ChatCompletionChunk[] {
    // message_delta's usage is final (a server tool can even change input_tokens); it overrides message_start's.
    if (isJsonObject(data['usage'])) {
      for (const [key, value] of Object.entries(data['usage'])) if (value !== null) this.#usage[key] = value;
    }
    const delta = isJsonObject(data['delta']) ? data['delta'] : {};
    if (delta['stop_reason'] == null) return [];
    this.#finished = true;
    const usage = {
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#model,
      choices: [],
      usage: usageFromAnthropic(this.#usage),
    } as unknown as ChatCompletionChunk;
    return [this.#chunk({}, finishFromAnthropic(delta['stop_reason'])), usage];
  }
}
