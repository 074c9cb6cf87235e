import { configError } from '../errors.ts';
import { isJsonObject } from '../core/types.ts';
import type { ProviderSpec, StructuredOutput } from './catalog.ts';

const VARIABLE = 'CUSTOM_PROVIDERS';
const FIELDS = new Set(['base_url', 'key_secret', 'structured_output', 'include_usage']);
const STRATEGIES: readonly StructuredOutput[] = ['json_schema', 'json_object', 'tool'];
const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const SECRET = /^[A-Z_][A-Z0-9_]*$/;
const EXAMPLE =
  '{"vllm":{"base_url":"http://10.0.0.5:8000/v1","key_secret":"VLLM_API_KEY","structured_output":"json_schema","include_usage":true}}';

/**
 * The rows of CUSTOM_PROVIDERS: JSON name → `{ base_url, key_secret?, structured_output?, include_usage? }`,
 * each an OpenAI-compatible server (vLLM, llama.cpp, LM Studio, SGLang, an internal endpoint).
 * Throws a `config_error` naming the bad entry; `taken` are the names built-in providers already use.
 * @example customProviders('{"lmstudio":{"base_url":"http://localhost:1234/v1"}}', ['openai'])
 */
export function customProviders(raw: string, taken: readonly string[]): ProviderSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError(VARIABLE, `is not valid JSON (expected an object like ${EXAMPLE}).`);
  }
  if (!isJsonObject(parsed)) throw configError(VARIABLE, `must be a JSON object like ${EXAMPLE}.`);
  return Object.entries(parsed).map(([name, entry]) => {
    const bad = (why: string) => configError(VARIABLE, `entry "${name}": ${why}`);
    if (!NAME.test(name)) throw bad('a provider name uses lowercase letters, digits, ".", "_" and "-" (it is the prefix of model names).');
    if (taken.includes(name)) throw bad('that name is a built-in provider; choose another.');
    if (!isJsonObject(entry)) throw bad('must be an object with at least "base_url".');
    const unknown = Object.keys(entry).find((k) => !FIELDS.has(k));
    if (unknown !== undefined) throw bad(`unknown field "${unknown}" (allowed: ${[...FIELDS].join(', ')}).`);
    const url = entry['base_url'];
    if (typeof url !== 'string' || !isHttpUrl(url)) throw bad('"base_url" must be an http(s) URL, e.g. "http://localhost:8000/v1".');
    const secret = entry['key_secret'] ?? null;
    if (secret !== null && (typeof secret !== 'string' || !SECRET.test(secret)))
      throw bad('"key_secret" must name a secret in UPPER_SNAKE_CASE, e.g. "VLLM_API_KEY".');
    const strategy = entry['structured_output'] ?? 'json_schema';
    const structuredOutput = STRATEGIES.find((s) => s === strategy);
    if (!structuredOutput) throw bad(`"structured_output" must be one of ${STRATEGIES.join(', ')}.`);
    const includeUsage = entry['include_usage'] ?? true;
    if (typeof includeUsage !== 'boolean') throw bad('"include_usage" must be true or false.');
    return {
      name,
      keyVar: secret,
      keyRequired: secret !== null,
      baseUrlVar: null,
      defaultBaseUrl: url.replace(/\/+$/, ''),
      structuredOutput,
      streamUsage: includeUsage ? 'include_usage' : 'never',
      wire: 'openai',
      // OpenAI-compatible servers (vLLM, llama.cpp, LM Studio, TEI) serve /v1/embeddings; one that does not answers its own 404.
      embeddings: true,
    };
  });
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
