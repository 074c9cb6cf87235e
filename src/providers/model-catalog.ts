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
