// Prompt tokens of a chat request, as OpenAI counts them (cookbook "How to count tokens with tiktoken").
import { type ChatCompletionFunctionDefinition, estimateTokensInFunctions } from 'gpt-tokenizer/esm/functionCalling';
import { isJsonObject, type JsonObject } from '../core/types.ts';
import { tokenUpperBound } from './bounded-count.ts';
import { loadTokenizer, type Tokenizer } from './encodings.ts';
import { dataUrlImageSize, imageTokens, WORST_CASE_SIZE } from './image-tokens.ts';

/** A token count; `estimated` when any part of it is not OpenAI's documented rule for this model. */
export interface TokenCount {
  readonly tokens: number;
  readonly estimated: boolean;
}

// Every message is wrapped as <|start|>{role/name}\n{content}<|end|>\n; a name costs one more; the reply is primed with <|start|>assistant<|message|>.
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
// A legacy `function` message is counted 2 tokens short of a plain one; a function call costs 3 beyond its name and arguments.
const FUNCTION_ROLE_DISCOUNT = 2;
const PER_CALL = 3;
const SYSTEM_WITH_TOOLS_DEDUCTION = 4;

/**
 * Characters of text one request may have counted exactly (TOKENS_EXACT_MAX_CHARS), shared by the counts it
 * makes; a text that no longer fits is counted by `tokenUpperBound` and the count is marked estimated.
 */
export interface ExactAllowance {
  chars: number;
}

/** A fresh allowance of `chars` characters, for one request's counts. */
export const exactAllowance = (chars: number): ExactAllowance => ({ chars });

/** Counts the prompt tokens of a chat for one model, its encoding loaded (see `chatTokenCounter`). */
export type ChatTokenCounter = (messages: readonly unknown[], tools?: readonly unknown[], allowance?: ExactAllowance) => TokenCount;

/**
 * Prompt tokens of `messages` (and `tools`) for `model`, per the cookbook's rule: 3 per message, 1 per name,
 * 3 for the reply; tools as gpt-tokenizer renders them; images by the tile rule. Without an `allowance`
 * every text is counted exactly (in linear time either way). Loads the model's encoding on first use.
 * @example await countChatTokens('openai/gpt-4o', [{ role: 'user', content: 'hello' }]) // { tokens: 8, estimated: false }
 */
export async function countChatTokens(
  model: string,
  messages: readonly unknown[],
  tools?: readonly unknown[],
  allowance?: ExactAllowance,
): Promise<TokenCount> {
  return (await chatTokenCounter(model))(messages, tools, allowance);
}

/**
 * `countChatTokens` for one model as a synchronous function, once its encoding is loaded: for trimming, which counts many times.
 * @example const count = await chatTokenCounter('openai/gpt-4o'); count(messages).tokens
 */
export async function chatTokenCounter(model: string): Promise<ChatTokenCounter> {
  const tokenizer = await loadTokenizer(model);
  return (messages, tools, allowance) => countChat(model, tokenizer, messages, tools, allowance);
}

function countChat(
  model: string,
  tokenizer: Tokenizer,
  messages: readonly unknown[],
  tools: readonly unknown[] | undefined,
  allowance: ExactAllowance | undefined,
): TokenCount {
  const tally: Tally = {
    tokens: REPLY_PRIMING,
    estimated: tokenizer.estimated,
    count: textCounter(tokenizer, allowance, () => {
      tally.estimated = true;
    }),
  };
  for (const message of messages) countMessage(model, message, tally);
  if (tools && tools.length > 0) countTools(tokenizer, messages, tools, tally);
  return { tokens: tally.tokens, estimated: tally.estimated };
}

interface Tally {
  tokens: number;
  estimated: boolean;
  /** Tokens of one text, charged to the allowance; marks the tally estimated when it could not count exactly. */
  count: (text: string) => number;
}

/** Counts texts exactly while the allowance lasts, by the upper bound after; calls `inexact` for such a count or a sliced run. */
export function textCounter(tokenizer: Tokenizer, allowance: ExactAllowance | undefined, inexact: () => void): (text: string) => number {
  return (text) => {
    if (allowance) {
      if (text.length > allowance.chars) {
        inexact();
        return tokenUpperBound(text);
      }
      allowance.chars -= text.length;
    }
    const { tokens, sliced } = tokenizer.count(text);
    if (sliced) inexact();
    return tokens;
  };
}

function countMessage(model: string, message: unknown, tally: Tally): void {
  tally.tokens += PER_MESSAGE;
  if (!isJsonObject(message)) {
    tally.estimated = true;
    return;
  }
  for (const [key, value] of Object.entries(message)) {
    if (key === 'content') countContent(model, value, tally);
    else if (key === 'function_call') countCall(value, tally);
    else if (key === 'tool_calls' && Array.isArray(value)) {
      // Counted as legacy function calls; how the API renders several tool calls is not published: an estimate.
      for (const call of value) countCall(isJsonObject(call) ? call['function'] : undefined, tally);
      tally.estimated = true;
    } else if (key === 'audio') tally.estimated = true;
    else if (typeof value === 'string' && key !== 'tool_call_id') {
      tally.tokens += tally.count(value);
      if (key === 'name') tally.tokens += PER_NAME;
    }
  }
  if (message['role'] === 'function') tally.tokens -= FUNCTION_ROLE_DISCOUNT;
  // A tool result's rendering is not published either; counted like a message.
  if (message['role'] === 'tool') tally.estimated = true;
}

function countCall(call: unknown, tally: Tally): void {
  if (!isJsonObject(call)) return;
  for (const part of [call['name'], call['arguments']]) if (typeof part === 'string') tally.tokens += tally.count(part);
  tally.tokens += PER_CALL;
}

function countContent(model: string, content: unknown, tally: Tally): void {
  if (typeof content === 'string') {
    tally.tokens += tally.count(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isJsonObject(part)) continue;
    if (part['type'] === 'text' && typeof part['text'] === 'string') tally.tokens += tally.count(part['text']);
    else if (part['type'] === 'refusal' && typeof part['refusal'] === 'string') tally.tokens += tally.count(part['refusal']);
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

/**
 * Tool definitions as the model sees them: rendered as a TypeScript namespace and counted, plus a fixed
 * overhead, with a newline added to the first system message and 4 tokens less when there is one. This is
 * gpt-tokenizer's rule (after hmarr/openai-chat-tokens); it gives the cookbook's own figures on the cookbook's
 * example and also matches the library's API-measured vectors for nested schemas, where the cookbook's flat
 * rule falls short.
 */
function countTools(tokenizer: Tokenizer, messages: readonly unknown[], tools: readonly unknown[], tally: Tally): void {
  const functions: ChatCompletionFunctionDefinition[] = [];
  for (const tool of tools) {
    const fn = isJsonObject(tool) && isJsonObject(tool['function']) ? tool['function'] : undefined;
    if (fn && typeof fn['name'] === 'string') functions.push(fn as unknown as ChatCompletionFunctionDefinition);
    else tally.estimated = true;
  }
  if (functions.length === 0) return;
  tally.tokens += estimateTokensInFunctions(functions, tally.count);
  const system = messages.find((m) => isJsonObject(m) && m['role'] === 'system');
  if (!isJsonObject(system)) return;
  tally.tokens -= SYSTEM_WITH_TOOLS_DEDUCTION;
  const content = system['content'];
  // The newline's cost, counted apart from the allowance: charging it could count one text exactly and the other by the bound.
  if (typeof content === 'string' && content !== '' && !content.endsWith('\n'))
    tally.tokens += tokenizer.count(`${content}\n`).tokens - tokenizer.count(content).tokens;
}
