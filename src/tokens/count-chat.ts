// Prompt tokens of a chat request, as OpenAI counts them (cookbook "How to count tokens with tiktoken").
import { isJsonObject, type JsonObject } from '../core/types.ts';
import { dataUrlImageSize, imageTokens, WORST_CASE_SIZE } from './image-tokens.ts';
import { tokenizerFor, type Tokenizer } from './encodings.ts';

/** A token count; `estimated` when any part of it is not OpenAI's documented rule for this model. */
export interface TokenCount {
  readonly tokens: number;
  readonly estimated: boolean;
}

// Every message is wrapped as <|start|>{role/name}\n{content}<|end|>\n; a name costs one more; the reply is primed with <|start|>assistant<|message|>.
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;

/**
 * Prompt tokens of `messages` (and `tools`) for `model`, per the cookbook's rule: 3 per message, 1 per name,
 * 3 for the reply, tools by its function-definition rule, images by the tile rule.
 * @example countChatTokens('openai/gpt-4o', [{ role: 'user', content: 'hello' }]) // { tokens: 8, estimated: false }
 */
export function countChatTokens(model: string, messages: readonly unknown[], tools?: readonly unknown[]): TokenCount {
  const tokenizer = tokenizerFor(model);
  const tally = { tokens: REPLY_PRIMING, estimated: tokenizer.estimated };
  for (const message of messages) countMessage(model, tokenizer, message, tally);
  if (tools && tools.length > 0) countTools(tokenizer, tools, tally);
  return tally;
}

interface Tally {
  tokens: number;
  estimated: boolean;
}

function countMessage(model: string, tokenizer: Tokenizer, message: unknown, tally: Tally): void {
  tally.tokens += PER_MESSAGE;
  if (!isJsonObject(message)) {
    tally.estimated = true;
    return;
  }
  for (const [key, value] of Object.entries(message)) {
    if (key === 'content') countContent(model, tokenizer, value, tally);
    else if (key === 'tool_calls' || key === 'function_call' || key === 'audio') {
      // Not in the cookbook's rule: counted as the text the model sees (names, arguments), an estimate.
      tally.tokens += tokenizer.count(JSON.stringify(value));
      tally.estimated = true;
    } else if (typeof value === 'string' && key !== 'tool_call_id') {
      tally.tokens += tokenizer.count(value);
      if (key === 'name') tally.tokens += PER_NAME;
    }
  }
}

function countContent(model: string, tokenizer: Tokenizer, content: unknown, tally: Tally): void {
  if (typeof content === 'string') {
    tally.tokens += tokenizer.count(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isJsonObject(part)) continue;
    if (part['type'] === 'text' && typeof part['text'] === 'string') tally.tokens += tokenizer.count(part['text']);
    else if (part['type'] === 'refusal' && typeof part['refusal'] === 'string') tally.tokens += tokenizer.count(part['refusal']);
    else if (part['type'] === 'image_url' && isJsonObject(part['image_url'])) countImage(model, part['image_url'], tally);
    else tally.estimated = true; // audio, files: no documented token rule
  }
}

function countImage(model: string, image: JsonObject, tally: Tally): void {
  const url = typeof image['url'] === 'string' ? image['url'] : '';
  const detail = typeof image['detail'] === 'string' ? image['detail'] : undefined;
  const size = dataUrlImageSize(url);
  // An image the gateway cannot measure (a remote URL) is counted at the rule's worst case: an upper bound.
  if (!size && detail !== 'low') tally.estimated = true;
  tally.tokens += imageTokens(model, detail, size ?? WORST_CASE_SIZE);
}

// The cookbook's constants for tool definitions; its o200k figures are for gpt-4o and gpt-4o-mini, its cl100k ones for gpt-3.5-turbo and gpt-4.
const TOOL_RULE = {
  o200k_base: { funcInit: 7, propInit: 3, propKey: 3, enumInit: -3, enumItem: 3, funcEnd: 12 },
  cl100k_base: { funcInit: 10, propInit: 3, propKey: 3, enumInit: -3, enumItem: 3, funcEnd: 12 },
} as const;

/** Tool definitions by the cookbook's rule: name and description, then each top-level property's name, type, description and enum. */
function countTools(tokenizer: Tokenizer, tools: readonly unknown[], tally: Tally): void {
  const rule = TOOL_RULE[tokenizer.encoding];
  for (const tool of tools) {
    const fn = isJsonObject(tool) && isJsonObject(tool['function']) ? tool['function'] : undefined;
    if (!fn) {
      tally.estimated = true;
      continue;
    }
    tally.tokens += rule.funcInit + tokenizer.count(`${text(fn['name'])}:${withoutFinalDot(text(fn['description']))}`);
    const parameters = isJsonObject(fn['parameters']) ? fn['parameters'] : {};
    const properties = isJsonObject(parameters['properties']) ? parameters['properties'] : {};
    const entries = Object.entries(properties);
    if (entries.length === 0) continue;
    tally.tokens += rule.propInit;
    for (const [name, schema] of entries) {
      const property = isJsonObject(schema) ? schema : {};
      tally.tokens += rule.propKey;
      if (Array.isArray(property['enum'])) {
        tally.tokens += rule.enumInit;
        for (const item of property['enum']) tally.tokens += rule.enumItem + tokenizer.count(String(item));
      }
      // Nested objects and arrays of objects are outside the cookbook's rule.
      if (property['type'] === 'object' || property['type'] === 'array') tally.estimated = true;
      tally.tokens += tokenizer.count(`${name}:${text(property['type'])}:${withoutFinalDot(text(property['description']))}`);
    }
  }
  tally.tokens += rule.funcEnd;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
const withoutFinalDot = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s);
