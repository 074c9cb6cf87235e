// The deployer's output ceilings applied to a request body: a default when it asks for none, a clamp when it asks for more.
import type { ChatBody } from '../core/types.ts';
import { bareModel } from './encodings.ts';

/** Which field a model family reads: OpenAI's reasoning models (o-series, gpt-5) take only `max_completion_tokens`. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/** The output-limit field a model expects. */
export function maxTokensField(model: string): MaxTokensField {
  return /^(o\d|gpt-5)/.test(bareModel(model)) ? 'max_completion_tokens' : 'max_tokens';
}

export interface MaxTokensSettings {
  /** DEFAULT_MAX_TOKENS: set when the request names no limit. */
  readonly defaultMaxTokens?: number;
  /** MAX_TOKENS_CEILING: the most a request may ask for. */
  readonly ceiling?: number;
}

export interface MaxTokensApplied {
  readonly body: ChatBody;
  /** What the request asked for, when it was clamped (for `x-gateway-max-tokens-clamped`). */
  readonly clampedFrom?: number;
}

const FIELDS: readonly MaxTokensField[] = ['max_tokens', 'max_completion_tokens'];

/** The output limit a request asks for, in whichever field it uses; undefined when it names none. */
export function askedOutputTokens(body: ChatBody): number | undefined {
  let asked = 0;
  for (const field of FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > asked) asked = value;
  }
  return asked || undefined;
}

/**
 * Applies the default and the ceiling to `max_tokens` and `max_completion_tokens`, whichever the request
 * uses; with neither, the default goes into the field the model family reads. Returns a new body.
 * @example applyMaxTokens({ messages, max_tokens: 50_000 }, 'max_tokens', { ceiling: 4096 }) // clampedFrom: 50000
 */
export function applyMaxTokens(body: ChatBody, field: MaxTokensField, { defaultMaxTokens, ceiling }: MaxTokensSettings): MaxTokensApplied {
  const asked = FIELDS.filter((f) => typeof body[f] === 'number');
  if (asked.length === 0) {
    if (defaultMaxTokens === undefined) return { body };
    return { body: { ...body, [field]: ceiling === undefined ? defaultMaxTokens : Math.min(defaultMaxTokens, ceiling) } };
  }
  if (ceiling === undefined) return { body };
  const largest = Math.max(...asked.map((f) => body[f] as number));
  if (largest <= ceiling) return { body };
  const clamped: ChatBody = { ...body };
  for (const f of asked) clamped[f] = Math.min(body[f] as number, ceiling);
  return { body: clamped, clampedFrom: largest };
}
