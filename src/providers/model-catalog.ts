/**
 * What the gateway knows about models, by name without the provider: context windows (in tokens), so a
 * "context too long" failure falls back only to a model that can hold more. Longest prefix wins.
 */
const CONTEXT_WINDOWS: readonly (readonly [prefix: string, tokens: number])[] = [
  ['gpt-4.1', 1_047_576],
  ['gpt-5', 400_000],
  ['gpt-4o', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_385],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o4-mini', 200_000],
  ['claude', 200_000],
  ['llama-3.1', 131_072],
  ['llama-3.2', 131_072],
  ['llama-3.3', 131_072],
  ['meta-llama/Llama-3.3', 131_072],
  ['mixtral-8x7b', 32_768],
  ['gemma2-9b', 8_192],
  ['@cf/meta/llama-3.1-8b-instruct', 7_968],
];

/** The context window of a model, or undefined when the gateway does not know it. */
export function contextWindow(model: string): number | undefined {
  return longestPrefix(CONTEXT_WINDOWS, model);
}

function longestPrefix(table: readonly (readonly [string, number])[], model: string): number | undefined {
  let best: readonly [string, number] | undefined;
  for (const entry of table) {
    if (model.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/** Most output tokens a model may be asked for, where a provider requires `max_tokens` (Anthropic). Longest prefix wins. */
const MAX_OUTPUT: readonly (readonly [prefix: string, tokens: number])[] = [
  ['claude-opus-4-1', 32_000],
  ['claude-opus-4-0', 32_000],
  ['claude-opus-4-2025', 32_000],
  ['claude-opus-4', 64_000],
  ['claude-sonnet-4', 64_000],
  ['claude-haiku-4', 64_000],
  ['claude-3-7-sonnet', 64_000],
  ['claude-3-5-haiku', 8_192],
  ['claude-3-5-sonnet', 8_192],
  ['claude-3-haiku', 4_096],
];

/** The output limit of a model, or undefined when the gateway does not know it. */
export function maxOutputTokens(model: string): number | undefined {
  return longestPrefix(MAX_OUTPUT, model);
}
