import { PROVIDERS, type ProviderSpec } from '../providers/catalog.ts';
import { FEATURE_VARIABLES } from './feature-variables.ts';
import type { VariableSpec } from './variable-spec.ts';

export type { VariableSpec };

const core: VariableSpec[] = [
  {
    name: 'GATEWAY_API_KEYS',
    secret: true,
    default: '',
    description: 'Comma-separated keys clients send as `Authorization: Bearer <key>` (compared in constant time).',
  },
  {
    name: 'ALLOW_ANONYMOUS',
    secret: false,
    default: 'false',
    description: '"true" lets requests without a key through while no GATEWAY_API_KEYS is set (local development only).',
  },
  {
    name: 'ALLOWED_ORIGINS',
    secret: false,
    default: '',
    description: 'Comma-separated browser origins allowed by CORS; `*` for any; empty for none.',
  },
  { name: 'DEFAULT_PROVIDER', secret: false, default: 'openai', description: 'Provider for a model named without `provider/`.' },
  { name: 'DEFAULT_MODEL', secret: false, default: 'openai/gpt-4o-mini', description: 'Model used when a request names none.' },
  { name: 'MODEL_ALIASES', secret: false, default: '{}', description: 'JSON object mapping short names to `provider/model`.' },
  { name: 'MAX_BODY_BYTES', secret: false, default: '1048576', description: 'Largest request body accepted (413 above it).' },
  {
    name: 'MAX_ATTEMPTS',
    secret: false,
    default: '3',
    description:
      'Attempts per model on retryable errors (1 = no retry); a request may lower it with `x-gateway-max-attempts`, never raise it.',
  },
  {
    name: 'MAX_FALLBACKS',
    secret: false,
    default: '3',
    description: 'Most extra models one request may add with `models` or `x-gateway-fallbacks` (400 above it).',
  },
  { name: 'MAX_N', secret: false, default: '4', description: 'Largest `n` (choices per request) accepted (400 above it).' },
  {
    name: 'EXTRACT_MAX_ATTEMPTS',
    secret: false,
    default: '5',
    description: 'Largest `max_attempts` an /extract request may ask for (400 above it).',
  },
  {
    name: 'RETRY_BASE_MS',
    secret: false,
    default: '500',
    description: 'Backoff before the first retry when the server gives no Retry-After; doubles each retry, with full jitter.',
  },
  { name: 'RETRY_MAX_MS', secret: false, default: '8000', description: 'Longest backoff between two attempts.' },
  {
    name: 'FALLBACKS',
    secret: false,
    default: '{}',
    description: 'JSON object: model → list of models to try when it fails, e.g. {"openai/gpt-4o":["anthropic/claude-sonnet-4-5"]}.',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    secret: false,
    default: '90000',
    description:
      'Deadline for all attempts and waits of a request until its answer starts (504 past it); a request may shorten it with `x-gateway-timeout-ms`, never lengthen it.',
  },
  {
    name: 'FIRST_BYTE_TIMEOUT_MS',
    secret: false,
    default: '60000',
    description:
      "Longest wait for one attempt's first byte (a stream's first chunk, a whole non-stream answer) before it counts as failed.",
  },
  {
    name: 'STREAM_IDLE_TIMEOUT_MS',
    secret: false,
    default: '30000',
    description: 'A stream whose upstream sends nothing for this long is ended with an error event.',
  },
  {
    name: 'RELAY_PROVIDERS',
    secret: false,
    default: '',
    description:
      'Comma-separated OpenAI-wire providers (e.g. `openai`) whose streamed chunks reach the client as the upstream\'s own bytes wherever the gateway would change nothing (see "The relay path").',
  },
  {
    name: 'KEEPALIVE_INTERVAL_MS',
    secret: false,
    default: '15000',
    description: 'While a stream waits for its first token, an SSE comment `: ping` is sent this often.',
  },
  {
    name: 'COOLDOWN_FAILURES',
    secret: false,
    default: '3',
    description: 'Retryable failures of one deployment (provider/model) within COOLDOWN_WINDOW_MS that put it in cooldown.',
  },
  { name: 'COOLDOWN_WINDOW_MS', secret: false, default: '60000', description: 'Window in which COOLDOWN_FAILURES are counted.' },
  {
    name: 'CACHE_MODE',
    secret: false,
    default: 'deterministic',
    description:
      '`off`, `deterministic` (temperature 0 or a seed, every /extract and every embedding) or `all`: which answers the KV cache keeps.',
  },
  {
    name: 'CACHE_TTL',
    secret: false,
    default: '3600',
    description:
      "Seconds a cached answer is kept (at least 60, KV's minimum); `Cache-Control: max-age=N` sets it per request, up to CACHE_MAX_TTL.",
  },
  {
    name: 'CACHE_MAX_TTL',
    secret: false,
    default: '',
    description:
      'Longest TTL a request may ask for with `max-age` or `x-gateway-cache-ttl` (empty: CACHE_TTL). Ignored with CACHE_SCOPE=shared, where requests cannot lengthen TTLs.',
  },
  {
    name: 'CACHE_SCOPE',
    secret: false,
    default: 'key',
    description:
      '`key`: each gateway key has its own cache entries; `shared`: callers share them (one trust domain only; per-request overrides that change what is stored are then ignored).',
  },
  { name: 'COOLDOWN_MS', secret: false, default: '30000', description: 'How long a deployment in cooldown is skipped (in this isolate).' },
  {
    name: 'MODEL_PRICES',
    secret: false,
    default: '{}',
    description:
      'JSON object adding or overriding prices and limits per model, in US dollars per million tokens: {"openai/my-ft":{"input":0.3,"cached_input":0.15,"cache_write":0.375,"output":1.2,"context_window":128000,"max_output_tokens":16384}}.',
  },
  {
    name: 'DEFAULT_MAX_TOKENS',
    secret: false,
    default: '',
    description:
      'Output limit set on requests that name none (`max_tokens`, or `max_completion_tokens` for o-series and gpt-5); empty for none.',
  },
  {
    name: 'MAX_TOKENS_CEILING',
    secret: false,
    default: '',
    description:
      'Largest output limit a request may ask for; larger asks are clamped (header `x-gateway-max-tokens-clamped`); empty for none.',
  },
  {
    name: 'TOKENS_EXACT_MAX_CHARS',
    secret: false,
    default: '200000',
    description:
      'Characters of text one request may have counted exactly (token count endpoint, trimming, budget bound, missing usage); past it a text is counted by a safe upper bound (its UTF-8 bytes) and the count says `estimated: true`. Bounds the CPU of counting (about 3 µs a character at worst).',
  },
];

function baseUrlDescription(p: ProviderSpec): string {
  if (p.wire === 'azure') return 'Azure OpenAI endpoint, e.g. `https://my-resource.openai.azure.com`; name models `azure/<deployment>`.';
  if (p.wire === 'anthropic') return `Base URL of the \`${p.name}\` Messages API, without \`/v1\`.`;
  return `Base URL of the \`${p.name}\` OpenAI-compatible API.`;
}

/** The providers a key variable serves, as "the `a` provider" or "the `a` and `b` providers". */
function keyUsers(keyVar: string): string {
  const names = PROVIDERS.filter((p) => p.keyVar === keyVar).map((p) => `\`${p.name}\``);
  return names.length === 1 ? `the ${names[0]} provider` : `the ${names.slice(0, -1).join(', ')} and ${names.at(-1)} providers`;
}

// Two providers may share a key (anthropic and anthropic-compat): one row per variable, naming both.
const providers: VariableSpec[] = [
  ...new Map(
    PROVIDERS.flatMap((p) => {
      const rows: VariableSpec[] = [];
      if (p.keyVar)
        rows.push({
          name: p.keyVar,
          secret: true,
          default: '',
          description: `${p.keyRequired ? 'API key' : 'Optional API key (sent only when set)'} for ${keyUsers(p.keyVar)}.`,
        });
      if (p.baseUrlVar) rows.push({ name: p.baseUrlVar, secret: false, default: p.defaultBaseUrl, description: baseUrlDescription(p) });
      return rows;
    }).map((row) => [row.name, row] as const),
  ).values(),
];

const providerExtras: VariableSpec[] = [
  {
    name: 'CUSTOM_PROVIDERS',
    secret: false,
    default: '{}',
    description:
      'JSON object: name → `{ "base_url", "key_secret"?, "structured_output"?: "json_schema" | "json_object" | "tool", "include_usage"?: true }` for any OpenAI-compatible server; models are then named `<name>/<model>`.',
  },
  {
    name: 'AZURE_OPENAI_API_VERSION',
    secret: false,
    default: '2024-10-21',
    description: 'The `api-version` query parameter sent to Azure OpenAI.',
  },
  {
    name: 'CLOUDFLARE_ACCOUNT_ID',
    secret: false,
    default: '',
    description: 'Account whose Workers AI OpenAI-compatible endpoint serves `workers-ai/...` models.',
  },
];

export const VARIABLES: readonly VariableSpec[] = [...core, ...providers, ...providerExtras, ...FEATURE_VARIABLES];

const known = new Map(VARIABLES.map((v) => [v.name, v]));

/** Reads one variable by name, falling back to its default; only names in VARIABLES can be read. */
export function readVariable(env: object, name: string): string {
  const spec = known.get(name);
  if (!spec) throw new Error(`readVariable: ${name} is not declared in config/variables.ts`);
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : spec.default;
}
