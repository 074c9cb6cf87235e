import { PROVIDERS } from '../providers/catalog.ts';

/** One configuration variable: every var and secret the gateway reads is a row here (the README table and .dev.vars.example are checked against it). */
export interface VariableSpec {
  readonly name: string;
  readonly secret: boolean;
  readonly default: string;
  readonly description: string;
}

const core: VariableSpec[] = [
  { name: 'GATEWAY_API_KEYS', secret: true, default: '', description: 'Comma-separated keys clients send as `Authorization: Bearer <key>` (compared in constant time).' },
  { name: 'ALLOW_ANONYMOUS', secret: false, default: 'false', description: '"true" lets requests without a key through (local development only).' },
  { name: 'ALLOWED_ORIGINS', secret: false, default: '', description: 'Comma-separated browser origins allowed by CORS; `*` for any; empty for none.' },
  { name: 'DEFAULT_PROVIDER', secret: false, default: 'openai', description: 'Provider for a model named without `provider/`.' },
  { name: 'DEFAULT_MODEL', secret: false, default: 'openai/gpt-4o-mini', description: 'Model used when a request names none.' },
  { name: 'MODEL_ALIASES', secret: false, default: '{}', description: 'JSON object mapping short names to `provider/model`.' },
  { name: 'MAX_BODY_BYTES', secret: false, default: '1048576', description: 'Largest request body accepted (413 above it).' },
  { name: 'MAX_ATTEMPTS', secret: false, default: '3', description: 'Attempts per model on retryable errors (1 = no retry); `x-gateway-max-attempts` sets it per request, up to 10.' },
  { name: 'RETRY_BASE_MS', secret: false, default: '500', description: 'Backoff before the first retry when the server gives no Retry-After; doubles each retry, with full jitter.' },
  { name: 'RETRY_MAX_MS', secret: false, default: '8000', description: 'Longest backoff between two attempts.' },
  { name: 'FALLBACKS', secret: false, default: '{}', description: 'JSON object: model → list of models to try when it fails, e.g. {"openai/gpt-4o":["anthropic/claude-sonnet-4-5"]}.' },
  { name: 'REQUEST_TIMEOUT_MS', secret: false, default: '90000', description: 'Deadline for all attempts and waits of a request until its answer starts (504 past it); `x-gateway-timeout-ms` sets it per request.' },
  { name: 'MAX_REQUEST_TIMEOUT_MS', secret: false, default: '300000', description: 'Largest deadline a request may ask for with `x-gateway-timeout-ms`.' },
  { name: 'FIRST_BYTE_TIMEOUT_MS', secret: false, default: '60000', description: 'Longest wait for one attempt\'s first byte (a stream\'s first chunk, a whole non-stream answer) before it counts as failed.' },
  { name: 'STREAM_IDLE_TIMEOUT_MS', secret: false, default: '30000', description: 'A stream whose upstream sends nothing for this long is ended with an error event.' },
  { name: 'KEEPALIVE_INTERVAL_MS', secret: false, default: '15000', description: 'While a stream waits for its first token, an SSE comment `: ping` is sent this often.' },
  { name: 'COOLDOWN_FAILURES', secret: false, default: '3', description: 'Retryable failures of one deployment (provider/model) within COOLDOWN_WINDOW_MS that put it in cooldown.' },
  { name: 'COOLDOWN_WINDOW_MS', secret: false, default: '60000', description: 'Window in which COOLDOWN_FAILURES are counted.' },
  { name: 'CACHE_MODE', secret: false, default: 'deterministic', description: '`off`, `deterministic` (temperature 0 or a seed, and every /extract) or `all`: which answers the KV cache keeps.' },
  { name: 'CACHE_TTL', secret: false, default: '3600', description: 'Seconds a cached answer is kept (at least 60, KV\'s minimum); `Cache-Control: max-age=N` sets it per request.' },
  { name: 'CACHE_SCOPE', secret: false, default: 'key', description: '`key`: each gateway key has its own cache entries; `shared`: callers share them.' },
  { name: 'COOLDOWN_MS', secret: false, default: '30000', description: 'How long a deployment in cooldown is skipped (in this isolate).' },
  { name: 'MODEL_PRICES', secret: false, default: '{}', description: 'JSON object adding or overriding prices and limits per model, in US dollars per million tokens: {"openai/my-ft":{"input":0.3,"cached_input":0.15,"cache_write":0.375,"output":1.2,"context_window":128000,"max_output_tokens":16384}}.' },
  { name: 'DEFAULT_MAX_TOKENS', secret: false, default: '', description: 'Output limit set on requests that name none (`max_tokens`, or `max_completion_tokens` for o-series and gpt-5); empty for none.' },
  { name: 'MAX_TOKENS_CEILING', secret: false, default: '', description: 'Largest output limit a request may ask for; larger asks are clamped (header `x-gateway-max-tokens-clamped`); empty for none.' },
];

const providers: VariableSpec[] = PROVIDERS.flatMap((p) => {
  const rows: VariableSpec[] = [];
  if (p.keyVar) rows.push({ name: p.keyVar, secret: true, default: '', description: `API key for the \`${p.name}\` provider.` });
  rows.push({ name: p.baseUrlVar, secret: false, default: p.defaultBaseUrl, description: p.client === 'azure' ? 'Azure OpenAI endpoint, e.g. `https://my-resource.openai.azure.com`; name models `azure/<deployment>`.' : `Base URL of the \`${p.name}\` OpenAI-compatible API.` });
  return rows;
});

const providerExtras: VariableSpec[] = [
  { name: 'OLLAMA_API_KEY', secret: true, default: '', description: 'Optional key for an Ollama behind a proxy that wants one.' },
  { name: 'AZURE_OPENAI_API_VERSION', secret: false, default: '2024-10-21', description: 'The `api-version` query parameter sent to Azure OpenAI.' },
  { name: 'CLOUDFLARE_ACCOUNT_ID', secret: false, default: '', description: 'Account whose Workers AI OpenAI-compatible endpoint serves `workers-ai/...` models.' },
];

export const VARIABLES: readonly VariableSpec[] = [...core, ...providers, ...providerExtras];

const known = new Map(VARIABLES.map((v) => [v.name, v]));

/** Reads one variable by name, falling back to its default; only names in VARIABLES can be read. */
export function readVariable(env: object, name: string): string {
  const spec = known.get(name);
  if (!spec) throw new Error(`readVariable: ${name} is not declared in config/variables.ts`);
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : spec.default;
}
