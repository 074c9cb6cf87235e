import { isJsonObject, type ChatCompletion, type ChatCompletionChunk, type JsonObject } from '../core/types.ts';
import {
  dropNull,
  dropUnknownTier,
  FINISH_REASONS,
  finishReason,
  flattenContent,
  malformed,
  ROLES,
  SERVICE_TIERS,
  usageOf,
} from './spec-fields.ts';

/** How one stream is normalised, from the provider's row and the request's adaptation. */
export interface NormalizeOptions {
  /** The provider sends usage unasked, possibly cumulative on every chunk: keep it on the final chunks only. */
  readonly usageUnasked?: boolean;
  /** A forced tool that stands for structured output: its arguments are the answer's content. */
  readonly structuredTool?: string;
}

/**
 * Turns one provider's stream chunks into spec-valid `ChatCompletionChunk`s. Stateful per stream: it
 * keeps the id, created and model steady and renumbers tool-call indexes from 0 in order of appearance.
 * Extra fields a provider adds (`x_groq`, `obfuscation`, …) are kept: the spec allows them and they are the provider's content.
 */
export class ChunkNormalizer {
  readonly #model: string;
  #id: string | undefined;
  #created: number | undefined;
  readonly #toolIndex = new Map<string, number>();
  readonly #toolCount = new Map<number, number>();
  readonly #options: NormalizeOptions;

  constructor(model: string, options: NormalizeOptions = {}) {
    this.#model = model;
    this.#options = options;
  }

  /**
   * Whether `normalize(raw)` would change nothing (the usual chunk of a spec-following provider), so the chunk may be
   * used, and its bytes sent, as they came. Conservative: tool-call deltas, structured output, content parts and
   * anything else that normalising may touch answer false. Takes the stream's id and created from a chunk it accepts.
   */
  isNormal(raw: unknown): raw is ChatCompletionChunk {
    if (!isJsonObject(raw) || this.#options.structuredTool !== undefined) return false;
    const { id, created } = raw;
    if (typeof id !== 'string' || id === '' || (this.#id !== undefined && id !== this.#id)) return false;
    if (typeof created !== 'number' || !Number.isInteger(created) || (this.#created !== undefined && created !== this.#created))
      return false;
    if (raw['object'] !== 'chat.completion.chunk' || typeof raw['model'] !== 'string' || raw['model'] === '') return false;
    if (raw['system_fingerprint'] === null) return false;
    const tier = raw['service_tier'];
    if (tier !== undefined && !SERVICE_TIERS.has(String(tier))) return false;
    const choices = raw['choices'];
    if (!Array.isArray(choices)) return false;
    let final = true;
    for (let i = 0; i < choices.length; i++) {
      const c: unknown = choices[i];
      if (!isJsonObject(c) || !normalChoice(c)) return false;
      if (c['finish_reason'] === null) final = false;
    }
    const usage = raw['usage'];
    if (usage !== undefined && usage !== null) {
      if (!isJsonObject(usage) || (this.#options.usageUnasked === true && !final)) return false;
      if (
        typeof usage['prompt_tokens'] !== 'number' ||
        typeof usage['completion_tokens'] !== 'number' ||
        typeof usage['total_tokens'] !== 'number'
      )
        return false;
    } else if (isJsonObject(raw['x_groq']) && raw['x_groq']['usage'] !== undefined) return false;
    this.#id = id;
    this.#created = created;
    return true;
  }

  /** Normalises one parsed `data:` payload in place and returns it typed. */
  normalize(raw: unknown): ChatCompletionChunk {
    if (!isJsonObject(raw)) throw malformed('stream chunk (not a JSON object)');
    this.#id ??= typeof raw['id'] === 'string' && raw['id'] !== '' ? raw['id'] : `chatcmpl-${crypto.randomUUID()}`;
    this.#created ??= typeof raw['created'] === 'number' ? Math.trunc(raw['created']) : Math.floor(Date.now() / 1000);
    raw['id'] = this.#id;
    raw['object'] = 'chat.completion.chunk';
    raw['created'] = this.#created;
    if (typeof raw['model'] !== 'string' || raw['model'] === '') raw['model'] = this.#model;
    dropNull(raw, ['system_fingerprint']);
    dropUnknownTier(raw);
    const choices = Array.isArray(raw['choices']) ? raw['choices'] : [];
    raw['choices'] = choices.filter(isJsonObject).map((c, position) => this.#choice(c, position));
    const usage = usageOf(raw);
    // Cumulative usage on every chunk (Gemini) would be counted as many times as it came: keep the final one.
    const final = (raw['choices'] as JsonObject[]).every((c) => c['finish_reason'] !== null);
    if (usage && (!this.#options.usageUnasked || final)) raw['usage'] = usage;
    else if ('usage' in raw && raw['usage'] !== null) delete raw['usage'];
    return raw as unknown as ChatCompletionChunk;
  }

  #choice(c: JsonObject, position: number): JsonObject {
    const index = typeof c['index'] === 'number' ? c['index'] : position;
    c['index'] = index;
    c['finish_reason'] = finishReason(c['finish_reason']);
    if (this.#options.structuredTool !== undefined && c['finish_reason'] === 'tool_calls') c['finish_reason'] = 'stop';
    if ('logprobs' in c && !isJsonObject(c['logprobs'])) c['logprobs'] = null;
    const delta = isJsonObject(c['delta']) ? c['delta'] : isJsonObject(c['message']) ? c['message'] : {};
    delete c['message'];
    c['delta'] = delta;
    if (!ROLES.has(String(delta['role']))) delete delta['role'];
    flattenContent(delta);
    if ('content' in delta && typeof delta['content'] !== 'string') delta['content'] = null;
    if ('refusal' in delta && typeof delta['refusal'] !== 'string') delta['refusal'] = null;
    dropNull(delta, ['function_call']);
    if (Array.isArray(delta['tool_calls'])) {
      delta['tool_calls'] = delta['tool_calls'].filter(isJsonObject).map((t, i) => this.#toolCall(index, t, i));
      this.#structuredToolAsContent(c, delta);
    } else delete delta['tool_calls'];
    return c;
  }

  /** The forced structured-output tool's argument fragments become content fragments, and its finish a plain stop. */
  #structuredToolAsContent(c: JsonObject, delta: JsonObject): void {
    const name = this.#options.structuredTool;
    const calls = delta['tool_calls'] as JsonObject[];
    if (name === undefined) return;
    const args = calls
      .map((t) => (isJsonObject(t['function']) && typeof t['function']['arguments'] === 'string' ? t['function']['arguments'] : ''))
      .join('');
    delete delta['tool_calls'];
    if (args !== '') delta['content'] = (typeof delta['content'] === 'string' ? delta['content'] : '') + args;
    if (c['finish_reason'] === 'tool_calls') c['finish_reason'] = 'stop';
  }

  #toolCall(choice: number, t: JsonObject, position: number): JsonObject {
    // Providers number tool calls from 0, from 1, or not at all; clients index an array with it.
    const rawIndex = typeof t['index'] === 'number' ? t['index'] : typeof t['id'] === 'string' ? t['id'] : position;
    const key = `${choice}:${rawIndex}`;
    let index = this.#toolIndex.get(key);
    if (index === undefined) {
      index = this.#toolCount.get(choice) ?? 0;
      this.#toolCount.set(choice, index + 1);
      this.#toolIndex.set(key, index);
    }
    t['index'] = index;
    dropNull(t, ['id', 'type']);
    // An empty id (Gemini) cannot pair a tool result with its call.
    if (t['id'] === '') t['id'] = `call_${crypto.randomUUID()}`;
    const fn = isJsonObject(t['function']) ? t['function'] : undefined;
    if (fn) {
      dropNull(fn, ['name']);
      // Some providers send arguments already parsed, or null before the first fragment.
      if (isJsonObject(fn['arguments']) || Array.isArray(fn['arguments'])) fn['arguments'] = JSON.stringify(fn['arguments']);
      else if (fn['arguments'] === null || fn['arguments'] === undefined) fn['arguments'] = '';
      if (t['id'] !== undefined && t['type'] === undefined) t['type'] = 'function';
    } else delete t['function'];
    return t;
  }
}

/** Whether `#choice` would leave a choice as it is: a delta without tool calls, every field already in the spec's shape. */
function normalChoice(c: JsonObject): boolean {
  if (typeof c['index'] !== 'number' || 'message' in c) return false;
  const finish = c['finish_reason'];
  if (finish !== null && !(typeof finish === 'string' && FINISH_REASONS.has(finish))) return false;
  if ('logprobs' in c && c['logprobs'] !== null && !isJsonObject(c['logprobs'])) return false;
  const delta = c['delta'];
  if (!isJsonObject(delta) || 'tool_calls' in delta || delta['function_call'] === null) return false;
  if ('role' in delta && !ROLES.has(String(delta['role']))) return false;
  const { content, refusal } = delta;
  if (content !== undefined && content !== null && typeof content !== 'string') return false;
  return refusal === undefined || refusal === null || typeof refusal === 'string';
}

/** Normalises a non-stream answer to a spec-valid `ChatCompletion`. */
export function normalizeCompletion(raw: unknown, model: string, options: NormalizeOptions = {}): ChatCompletion {
  if (!isJsonObject(raw)) throw malformed('response (not a JSON object)');
  if (typeof raw['id'] !== 'string' || raw['id'] === '') raw['id'] = `chatcmpl-${crypto.randomUUID()}`;
  raw['object'] = 'chat.completion';
  if (typeof raw['created'] !== 'number') raw['created'] = Math.floor(Date.now() / 1000);
  else raw['created'] = Math.trunc(raw['created']);
  if (typeof raw['model'] !== 'string' || raw['model'] === '') raw['model'] = model;
  dropNull(raw, ['system_fingerprint']);
  dropUnknownTier(raw);
  const usage = usageOf(raw);
  if (usage) raw['usage'] = usage;
  else delete raw['usage'];
  if (!Array.isArray(raw['choices'])) throw malformed('response (no choices)');
  raw['choices'] = raw['choices'].filter(isJsonObject).map((c, position) => {
    c['index'] = typeof c['index'] === 'number' ? c['index'] : position;
    c['finish_reason'] = finishReason(c['finish_reason']) ?? 'stop';
    if (!isJsonObject(c['logprobs'])) c['logprobs'] = null;
    const message = isJsonObject(c['message']) ? c['message'] : {};
    c['message'] = message;
    message['role'] = 'assistant';
    flattenContent(message);
    if (typeof message['content'] !== 'string') message['content'] = null;
    if (typeof message['refusal'] !== 'string') message['refusal'] = null;
    dropNull(message, ['tool_calls', 'function_call', 'audio']);
    if (Array.isArray(message['tool_calls'])) {
      message['tool_calls'] = message['tool_calls'].filter(isJsonObject).map((t) => {
        const fn = isJsonObject(t['function']) ? t['function'] : { name: '', arguments: '' };
        if (typeof fn['arguments'] !== 'string') fn['arguments'] = fn['arguments'] == null ? '' : JSON.stringify(fn['arguments']);
        // A stream's `index` has no place in a message (DeepSeek sends it); an empty id (Gemini) cannot pair a tool result.
        const { index: _index, ...rest } = t;
        return {
          ...rest,
          id: typeof t['id'] === 'string' && t['id'] !== '' ? t['id'] : `call_${crypto.randomUUID()}`,
          type: 'function',
          function: fn,
        };
      });
      const structured =
        options.structuredTool === undefined
          ? undefined
          : (message['tool_calls'] as JsonObject[]).find(
              (t) => isJsonObject(t['function']) && t['function']['name'] === options.structuredTool,
            );
      if (structured && isJsonObject(structured['function'])) {
        message['content'] = structured['function']['arguments'];
        delete message['tool_calls'];
        if (c['finish_reason'] === 'tool_calls') c['finish_reason'] = 'stop';
      }
    }
    return c;
  });
  return raw as unknown as ChatCompletion;
}
