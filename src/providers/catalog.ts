/** How a provider wants to be asked for JSON that matches a schema. */
export type StructuredOutput = 'json_schema' | 'json_object' | 'tool';

/**
 * How a provider reports token usage on streams: `include_usage` sends it when asked with
 * `stream_options.include_usage`; `always` sends it unasked (on the finish chunk, or cumulative on every
 * chunk: only the final one is kept); `never` sends none (the gateway estimates).
 */
export type StreamUsage = 'include_usage' | 'always' | 'never';

/** The wire a provider speaks: OpenAI's chat completions, Azure's deployment URLs, or Anthropic's Messages API. */
export type Wire = 'openai' | 'azure' | 'anthropic';

/** One row per provider: adding a provider is adding a row (and an adapter only if its wire format differs). */
export interface ProviderSpec {
  readonly name: string;
  /** The secret holding its API key; null where none is used. */
  readonly keyVar: string | null;
  /** Whether a call without that key is refused (false: the key is sent only when set, e.g. Ollama behind a proxy). */
  readonly keyRequired: boolean;
  /** The var overriding its base URL; null for custom providers (their URL is in CUSTOM_PROVIDERS). */
  readonly baseUrlVar: string | null;
  /** Its base URL (for `anthropic`, without `/v1`: its wire adds `/v1/messages`); `{account}` is filled from CLOUDFLARE_ACCOUNT_ID. */
  readonly defaultBaseUrl: string;
  readonly structuredOutput: StructuredOutput;
  readonly streamUsage: StreamUsage;
  readonly wire: Wire;
  /** Whether it serves OpenAI's `POST /embeddings` (`/v1/embeddings` is refused for the others). */
  readonly embeddings: boolean;
}

const openai = (
  name: string,
  keyVar: string | null,
  baseUrlVar: string,
  defaultBaseUrl: string,
  structuredOutput: StructuredOutput,
  streamUsage: StreamUsage,
): ProviderSpec => ({
  name,
  keyVar,
  keyRequired: true,
  baseUrlVar,
  defaultBaseUrl,
  structuredOutput,
  streamUsage,
  wire: 'openai',
  embeddings: false,
});

export const PROVIDERS: readonly ProviderSpec[] = [
  {
    ...openai('openai', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'https://api.openai.com/v1', 'json_schema', 'include_usage'),
    embeddings: true,
  },
  {
    name: 'azure',
    keyVar: 'AZURE_OPENAI_API_KEY',
    keyRequired: true,
    baseUrlVar: 'AZURE_OPENAI_ENDPOINT',
    defaultBaseUrl: '',
    structuredOutput: 'json_schema',
    streamUsage: 'include_usage',
    wire: 'azure',
    embeddings: true,
  },
  // Native Messages API: prompt caching, extended thinking and strict tools, which the compatibility layer drops.
  {
    name: 'anthropic',
    keyVar: 'ANTHROPIC_API_KEY',
    keyRequired: true,
    baseUrlVar: 'ANTHROPIC_BASE_URL',
    defaultBaseUrl: 'https://api.anthropic.com',
    structuredOutput: 'json_schema',
    streamUsage: 'always',
    wire: 'anthropic',
    embeddings: false,
  },
  openai('anthropic-compat', 'ANTHROPIC_API_KEY', 'ANTHROPIC_COMPAT_BASE_URL', 'https://api.anthropic.com/v1', 'tool', 'include_usage'),
  {
    ...openai(
      'google',
      'GEMINI_API_KEY',
      'GEMINI_BASE_URL',
      'https://generativelanguage.googleapis.com/v1beta/openai',
      'json_schema',
      'always',
    ),
    embeddings: true,
  },
  { ...openai('mistral', 'MISTRAL_API_KEY', 'MISTRAL_BASE_URL', 'https://api.mistral.ai/v1', 'json_schema', 'always'), embeddings: true },
  openai('deepseek', 'DEEPSEEK_API_KEY', 'DEEPSEEK_BASE_URL', 'https://api.deepseek.com', 'json_object', 'include_usage'),
  openai('xai', 'XAI_API_KEY', 'XAI_BASE_URL', 'https://api.x.ai/v1', 'json_schema', 'include_usage'),
  openai('fireworks', 'FIREWORKS_API_KEY', 'FIREWORKS_BASE_URL', 'https://api.fireworks.ai/inference/v1', 'json_schema', 'include_usage'),
  openai('cerebras', 'CEREBRAS_API_KEY', 'CEREBRAS_BASE_URL', 'https://api.cerebras.ai/v1', 'json_schema', 'always'),
  openai('deepinfra', 'DEEPINFRA_API_KEY', 'DEEPINFRA_BASE_URL', 'https://api.deepinfra.com/v1/openai', 'json_object', 'include_usage'),
  openai('groq', 'GROQ_API_KEY', 'GROQ_BASE_URL', 'https://api.groq.com/openai/v1', 'json_object', 'include_usage'),
  openai('together', 'TOGETHER_API_KEY', 'TOGETHER_BASE_URL', 'https://api.together.xyz/v1', 'json_object', 'include_usage'),
  openai('openrouter', 'OPENROUTER_API_KEY', 'OPENROUTER_BASE_URL', 'https://openrouter.ai/api/v1', 'json_schema', 'include_usage'),
  {
    ...openai('ollama', 'OLLAMA_API_KEY', 'OLLAMA_BASE_URL', 'http://localhost:11434/v1', 'json_schema', 'include_usage'),
    keyRequired: false,
    embeddings: true,
  },
  openai(
    'workers-ai',
    'CLOUDFLARE_API_TOKEN',
    'WORKERS_AI_BASE_URL',
    'https://api.cloudflare.com/client/v4/accounts/{account}/ai/v1',
    'json_schema',
    'include_usage',
  ),
];

export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name);
