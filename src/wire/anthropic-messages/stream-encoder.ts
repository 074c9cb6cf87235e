// The pipeline's chunks as Anthropic's Messages stream, event for event.
import type { ChatCompletionChunk } from '../../core/types.ts';
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import type { GatewayError } from '../../errors.ts';
import type { NativeEvent } from '../../core/events.ts';
import type { SseEncoder } from '../../stream/sse-response.ts';
import { messageId } from './encode-message.ts';
import { messagesErrorBody } from './error-body.ts';
import { messagesUsage, stopReason } from './usage.ts';

const frame = (event: string, data: JsonObject): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

type Delta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: unknown; thinking_blocks?: unknown };

interface OpenBlock {
  readonly index: number;
  readonly kind: 'text' | 'thinking' | 'tool_use' | 'redacted_thinking';
}

export interface MessagesStreamOptions {
  /** The model named in `message_start` when it must go out before the first chunk (a ping while waiting). */
  readonly model: string;
  /** Whether the client asked for thinking: another provider's reasoning text streams as thinking blocks only then. */
  readonly thinking: boolean;
  /**
   * Whether the call asked for Anthropic's own events (an Anthropic model): while they are awaited only `ping`s go
   * out, so the upstream's own `message_start` can be the first event.
   */
  readonly native?: boolean;
}

/**
 * Anthropic's event sequence over the pipeline's chunks: `message_start`, then per content block
 * `content_block_start`, its deltas (`text_delta`, `thinking_delta` and `signature_delta`, `input_json_delta`)
 * and `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`. While the answer is
 * awaited: `message_start` and `ping` events. A failure after the start is `event: error` with Anthropic's
 * error object. One encoder per stream (it keeps the open block). Anthropic's own events, when the answer carries them
 * (an Anthropic model), go out verbatim instead, in order, server tool and citation blocks included; the translation
 * is used otherwise (another provider, a fallback to one, a cached answer).
 * @example sseBody(events, { encoder: messagesSse({ model: 'openai/gpt-4o-mini', thinking: false }), … })
 */
export function messagesSse(options: MessagesStreamOptions): SseEncoder {
  let started = false;
  let open: OpenBlock | undefined;
  let blocks = 0;
  let refused = false;
  /** Whether Anthropic's own events are being relayed, and whether its `message_stop` went out. */
  let relaying = false;
  let stopped = false;
  /** The content block each tool call (by its chat index) streams into. */
  const tools = new Map<number, number>();

  const start = (chunk?: ChatCompletionChunk): string => {
    if (started) return '';
    started = true;
    const message = {
      id: messageId(chunk?.id || crypto.randomUUID()),
      type: 'message',
      role: 'assistant',
      model: chunk?.model || options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The counts come with message_delta: the pipeline learns them at the end of the answer.
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    };
    return frame('message_start', { type: 'message_start', message });
  };
  const close = (): string => {
    if (!open) return '';
    const index = open.index;
    open = undefined;
    return frame('content_block_stop', { type: 'content_block_stop', index });
  };
  const begin = (kind: OpenBlock['kind'], block: JsonObject): string => {
    const out = close();
    open = { index: blocks++, kind };
    return out + frame('content_block_start', { type: 'content_block_start', index: open.index, content_block: block });
  };
  const delta = (index: number, d: JsonObject): string => frame('content_block_delta', { type: 'content_block_delta', index, delta: d });

  /** Anthropic's signed thinking (its own models): the signature closes the block its text streamed into. */
  const signedThinking = (block: JsonObject): string => {
    if (block['type'] === 'redacted_thinking') return begin('redacted_thinking', block) + close();
    if (block['type'] !== 'thinking') return '';
    const signature = { type: 'signature_delta', signature: String(block['signature'] ?? '') };
    if (open?.kind === 'thinking') return delta(open.index, signature) + close();
    const out = begin('thinking', { type: 'thinking', thinking: '', signature: '' });
    const index = blocks - 1;
    return out + delta(index, { type: 'thinking_delta', thinking: String(block['thinking'] ?? '') }) + delta(index, signature) + close();
  };

  /** Anthropic's own events as they came (data byte for byte), bar a second `message_start` after a keep-alive's. */
  const relay = (events: readonly NativeEvent[]): string => {
    let out = '';
    for (const { event, data } of events) {
      if (event === 'message_start' && started && !relaying) continue;
      if (event === 'message_stop') stopped = true;
      out += `event: ${event}\ndata: ${data}\n\n`;
    }
    started = true;
    relaying = true;
    return out;
  };

  return {
    native: relay,
    chunk(chunk) {
      let out = start(chunk);
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue;
        const d = choice.delta as Delta;
        if (options.thinking && typeof d.reasoning_content === 'string' && d.reasoning_content !== '') {
          if (open?.kind !== 'thinking') out += begin('thinking', { type: 'thinking', thinking: '', signature: '' });
          out += delta(blocks - 1, { type: 'thinking_delta', thinking: d.reasoning_content });
        }
        if (Array.isArray(d.thinking_blocks)) for (const block of d.thinking_blocks) if (isJsonObject(block)) out += signedThinking(block);
        if (d.refusal) refused = true;
        const text = d.content || d.refusal;
        if (text) {
          if (open?.kind !== 'text') out += begin('text', { type: 'text', text: '' });
          out += delta(blocks - 1, { type: 'text_delta', text });
        }
        for (const call of d.tool_calls ?? []) {
          let index = tools.get(call.index);
          if (index === undefined) {
            out += begin('tool_use', {
              type: 'tool_use',
              id: call.id ?? `toolu_${crypto.randomUUID()}`,
              name: call.function?.name ?? '',
              input: {},
            });
            index = blocks - 1;
            tools.set(call.index, index);
          }
          const args = call.function?.arguments;
          if (args) out += delta(index, { type: 'input_json_delta', partial_json: args });
        }
        if (choice.finish_reason) out += close();
      }
      return out;
    },
    // Server tools are the gateway's business; an Anthropic client sees the final answer.
    step: () => '',
    keepAlive: () => `${options.native ? '' : start()}event: ping\ndata: {"type": "ping"}\n\n`,
    end(end) {
      // The upstream sent its own message_delta (stop reason, usage); a stream that ended without message_stop gets one.
      if (relaying) return stopped ? '' : frame('message_stop', { type: 'message_stop' });
      const usage = messagesUsage(end.usage);
      return (
        start() +
        close() +
        frame('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReason(end.finishReason, refused), stop_sequence: null },
          usage: { ...usage },
        }) +
        frame('message_stop', { type: 'message_stop' })
      );
    },
    error: (error: GatewayError) => `event: error\ndata: ${JSON.stringify(messagesErrorBody(error))}\n\n`,
  };
}
