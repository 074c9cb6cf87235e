/** How a provider wants to be asked for JSON that matches a schema. */
export type StructuredOutput = 'json_schema' | 'json_object' | 'tool';

/** One row per provider: adding a provider is adding a row (and an adapter only if its wire format differs). */
export interface ProviderSpec {
  readonly name: string;
  /** The secret holding its API key; null where none is needed. */
  readonly keyVar: string | null;
  /** The var overriding its base URL. */
  readonly baseUrlVar: string;
  /** Its OpenAI-compatible base URL; `{account}` is filled from CLOUDFLARE_ACCOUNT_ID. */
  readonly defaultBaseUrl: string;
  readonly structuredOutput: StructuredOutput;
  /** Whether it honours `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  /** `azure` uses deployment URLs, the `api-key` header and `api-version`. */
  readonly client: 'openai' | 'azure';
}

export const PROVIDERS: readonly ProviderSpec[] = [
  { name: 'openai', keyVar: 'OPENAI_API_KEY', baseUrlVar: 'OPENAI_BASE_URL', defaultBaseUrl: 'https://api.openai.com/v1', structuredOutput: 'json_schema', includeUsage: true, client: 'openai' },
  { name: 'azure', keyVar: 'AZURE_OPENAI_API_KEY', baseUrlVar: 'AZURE_OPENAI_ENDPOINT', defaultBaseUrl: '', structuredOutput: 'json_schema', includeUsage: true, client: 'azure' },
  { name: 'anthropic', keyVar: 'ANTHROPIC_API_KEY', baseUrlVar: 'ANTHROPIC_BASE_URL', defaultBaseUrl: 'https://api.anthropic.com/v1', structuredOutput: 'tool', includeUsage: true, client: 'openai' },
  { name: 'groq', keyVar: 'GROQ_API_KEY', baseUrlVar: 'GROQ_BASE_URL', defaultBaseUrl: 'https://api.groq.com/openai/v1', structuredOutput: 'json_object', includeUsage: true, client: 'openai' },
  { name: 'together', keyVar: 'TOGETHER_API_KEY', baseUrlVar: 'TOGETHER_BASE_URL', defaultBaseUrl: 'https://api.together.xyz/v1', structuredOutput: 'json_object', includeUsage: true, client: 'openai' },
  { name: 'openrouter', keyVar: 'OPENROUTER_API_KEY', baseUrlVar: 'OPENROUTER_BASE_URL', defaultBaseUrl: 'https://openrouter.ai/api/v1', structuredOutput: 'json_schema', includeUsage: true, client: 'openai' },
  { name: 'ollama', keyVar: null, baseUrlVar: 'OLLAMA_BASE_URL', defaultBaseUrl: 'http://localhost:11434/v1', structuredOutput: 'json_schema', includeUsage: true, client: 'openai' },
  { name: 'workers-ai', keyVar: 'CLOUDFLARE_API_TOKEN', baseUrlVar: 'WORKERS_AI_BASE_URL', defaultBaseUrl: 'https://api.cloudflare.com/client/v4/accounts/{account}/ai/v1', structuredOutput: 'json_schema', includeUsage: true, client: 'openai' },
];

export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name);
