import { commaList } from '../core/comma-list.ts';
import { configError } from '../errors.ts';
import type { CacheSettings } from '../cache/cache-policy.ts';
import type { BackoffSettings, CooldownSettings } from './settings.ts';
import { parseToolSettings, type ToolSettings } from './tool-settings.ts';
import { readLimitSettings, type LimitSettings } from './limit-settings.ts';
import type { ResponseStoreSettings } from '../responses-store/response-store.ts';
import { readResumableSettings, type ResumableSettings } from './resumable-settings.ts';
import { readTelemetrySettings, type TelemetrySettings } from './telemetry-settings.ts';
import { parseModelPrices, type PriceOverrides } from '../tokens/model-prices.ts';
import { PROVIDERS, PROVIDER_NAMES, type ProviderSpec } from '../providers/catalog.ts';
import { customProviders } from '../providers/custom-providers.ts';
import type { ProviderConfig } from '../providers/provider-config.ts';
import { boolean, optionalPositiveInt, positiveInt, wholeNumber } from './typed-variables.ts';
import { readVariable, VARIABLES } from './variables.ts';

/** Everything the gateway reads from vars and secrets, validated once per isolate. */
export interface Config {
  readonly gatewayKeys: readonly string[];
  /** Every configured secret's value (provider keys, gateway keys, admin token): scrubbed from any text that leaves the gateway. */
  readonly secrets: readonly string[];
  readonly allowAnonymous: boolean;
  /** `'*'` for any origin. */
  readonly allowedOrigins: readonly string[] | '*';
  readonly defaultProvider: string;
  readonly defaultModel: string;
  readonly aliases: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly resilience: ResilienceSettings;
  readonly cache: CacheSettings;
  readonly tools: ToolSettings;
  readonly tokens: TokenSettings;
  readonly limits: LimitSettings;
  readonly responses: ResponseStoreSettings;
  /** REQUEST_LOG_RETENTION_DAYS: how long the request log keeps a row (1 to 3650). */
  readonly requestLogRetentionDays: number;
  readonly resumable: ResumableSettings;
  /** OpenTelemetry export; undefined: off. */
  readonly telemetry: TelemetrySettings | undefined;
}

/** Prices and output ceilings. */
export interface TokenSettings {
  /** MODEL_PRICES: the deployer's own prices and limits, over the price table's. */
  readonly prices: PriceOverrides;
  readonly defaultMaxTokens?: number;
  readonly maxTokensCeiling?: number;
  /** TOKENS_EXACT_MAX_CHARS: characters one request may have counted exactly; an upper bound past it. */
  readonly exactMaxChars: number;
}

/** Retries, fallbacks, deadlines and cooldown. */
export interface ResilienceSettings {
  readonly maxAttempts: number;
  readonly backoff: BackoffSettings;
  /** Model (as named, or as `provider/model`) → the models to try after it. */
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
  readonly timeoutMs: number;
  /** Most extra models one request may add to its chain. */
  readonly maxFallbacks: number;
  /** Largest `n` a request may ask for. */
  readonly maxN: number;
  /** Largest `max_attempts` of an /extract request. */
  readonly extractMaxAttempts: number;
  readonly firstByteTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveMs: number;
  readonly cooldown: CooldownSettings;
}

function jsonObject(env: object, name: string, example: string): Record<string, unknown> {
  const raw = readVariable(env, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError(name, `is not valid JSON (expected an object like ${example}).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw configError(name, `must be a JSON object like ${example}.`);
  return parsed as Record<string, unknown>;
}

function jsonStringMap(env: object, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(jsonObject(env, name, '{"fast":"groq/llama-3.1-8b-instant"}'))) {
    if (typeof value !== 'string' || value === '') throw configError(name, `the value of "${key}" must be a non-empty string.`);
    out[key] = value;
  }
  return out;
}

function jsonListMap(env: object, name: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(jsonObject(env, name, '{"openai/gpt-4o":["groq/llama-3.3-70b-versatile"]}'))) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== ''))
      throw configError(name, `the value of "${key}" must be a list of model names.`);
    out[key] = value as string[];
  }
  return out;
}

function oneOf<T extends string>(env: object, name: string, allowed: readonly T[]): T {
  const raw = readVariable(env, name);
  const found = allowed.find((a) => a === raw);
  if (!found) throw configError(name, `expected one of ${allowed.join(', ')}, got "${raw}".`);
  return found;
}

function tokenSettings(env: object): TokenSettings {
  const defaultMaxTokens = optionalPositiveInt(env, 'DEFAULT_MAX_TOKENS');
  const maxTokensCeiling = optionalPositiveInt(env, 'MAX_TOKENS_CEILING');
  return {
    prices: parseModelPrices(readVariable(env, 'MODEL_PRICES')),
    exactMaxChars: positiveInt(env, 'TOKENS_EXACT_MAX_CHARS'),
    ...(defaultMaxTokens === undefined ? {} : { defaultMaxTokens }),
    ...(maxTokensCeiling === undefined ? {} : { maxTokensCeiling }),
  };
}

function cache(env: object): CacheSettings {
  const ttl = positiveInt(env, 'CACHE_TTL');
  const maxTtl = optionalPositiveInt(env, 'CACHE_MAX_TTL') ?? ttl;
  return {
    mode: oneOf(env, 'CACHE_MODE', ['off', 'deterministic', 'all'] as const),
    ttl,
    maxTtl,
    scope: oneOf(env, 'CACHE_SCOPE', ['key', 'shared'] as const),
  };
}

function resilience(env: object): ResilienceSettings {
  return {
    maxAttempts: positiveInt(env, 'MAX_ATTEMPTS'),
    backoff: { baseMs: positiveInt(env, 'RETRY_BASE_MS'), capMs: positiveInt(env, 'RETRY_MAX_MS') },
    fallbacks: jsonListMap(env, 'FALLBACKS'),
    timeoutMs: positiveInt(env, 'REQUEST_TIMEOUT_MS'),
    maxFallbacks: wholeNumber(env, 'MAX_FALLBACKS'),
    maxN: positiveInt(env, 'MAX_N'),
    extractMaxAttempts: positiveInt(env, 'EXTRACT_MAX_ATTEMPTS'),
    firstByteTimeoutMs: positiveInt(env, 'FIRST_BYTE_TIMEOUT_MS'),
    idleTimeoutMs: positiveInt(env, 'STREAM_IDLE_TIMEOUT_MS'),
    keepAliveMs: positiveInt(env, 'KEEPALIVE_INTERVAL_MS'),
    cooldown: {
      failures: positiveInt(env, 'COOLDOWN_FAILURES'),
      windowMs: positiveInt(env, 'COOLDOWN_WINDOW_MS'),
      cooldownMs: positiveInt(env, 'COOLDOWN_MS'),
    },
  };
}

/** A secret named by CUSTOM_PROVIDERS (not a declared variable, so read directly). */
function customSecret(env: object, name: string): string | undefined {
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function providerConfig(env: object, spec: ProviderSpec, relay: ReadonlySet<string>): ProviderConfig {
  const keyVar = spec.keyVar;
  const apiKey =
    keyVar === null ? undefined : spec.baseUrlVar === null ? customSecret(env, keyVar) : readVariable(env, keyVar) || undefined;
  let baseURL = (spec.baseUrlVar === null ? spec.defaultBaseUrl : readVariable(env, spec.baseUrlVar)).replace(/\/+$/, '');
  if (baseURL.includes('{account}')) baseURL = baseURL.replace('{account}', readVariable(env, 'CLOUDFLARE_ACCOUNT_ID'));
  return { spec, baseURL, apiKey, azureApiVersion: readVariable(env, 'AZURE_OPENAI_API_VERSION'), relay: relay.has(spec.name) };
}

/** RELAY_PROVIDERS: OpenAI-wire providers only (an Anthropic stream is always translated, so there are no bytes to relay). */
function relayProviders(env: object, specs: readonly ProviderSpec[]): ReadonlySet<string> {
  const names = commaList(readVariable(env, 'RELAY_PROVIDERS'));
  for (const name of names) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw configError('RELAY_PROVIDERS', `unknown provider "${name}"; known providers: ${specs.map((s) => s.name).join(', ')}.`);
    if (spec.wire === 'anthropic')
      throw configError('RELAY_PROVIDERS', `"${name}" speaks Anthropic's wire, not OpenAI's: its stream is always translated.`);
  }
  return new Set(names);
}

/** The values of every secret variable, longest first (so a key that contains another is scrubbed whole). */
function secretValues(env: object, providers: Iterable<ProviderConfig>, exportHeaders: readonly string[]): string[] {
  const declared = VARIABLES.filter((v) => v.secret).flatMap((v) =>
    v.name === 'GATEWAY_API_KEYS' ? commaList(readVariable(env, v.name)) : [readVariable(env, v.name)],
  );
  // Keys of CUSTOM_PROVIDERS live in secrets the deployer named, not in declared variables.
  // The collector's header values, and their last word (the token of `Bearer <token>`), are secrets too.
  const headerValues = exportHeaders.flatMap((v) => [v, v.split(/\s+/).at(-1) ?? v]);
  const values = [...declared, ...[...providers].flatMap((p) => (p.apiKey ? [p.apiKey] : [])), ...headerValues];
  return [...new Set(values.filter((v) => v.length >= 6))].sort((a, b) => b.length - a.length);
}

/** The largest entry a Durable Object's SQLite row holds (2 MB), less room for the row's other columns. */
const MAX_STORED_BYTES = 1_900_000;

/** Retention and caps of stored Responses API answers. */
function responseStoreSettings(env: object): ResponseStoreSettings {
  const maxBytes = positiveInt(env, 'RESPONSES_MAX_BYTES');
  if (maxBytes > MAX_STORED_BYTES)
    throw configError('RESPONSES_MAX_BYTES', `must be at most ${MAX_STORED_BYTES} (a Durable Object row holds 2 MB); got ${maxBytes}.`);
  return {
    retentionMs: positiveInt(env, 'RESPONSES_RETENTION_DAYS') * 86_400_000,
    maxBytes,
    maxRows: positiveInt(env, 'RESPONSES_MAX_PER_KEY'),
  };
}

/** Reads and validates the configuration; throws a 500 `config_error` naming the variable that is wrong. */
/** REQUEST_LOG_RETENTION_DAYS, at most ten years. */
function requestLogRetentionDays(env: object): number {
  const days = positiveInt(env, 'REQUEST_LOG_RETENTION_DAYS');
  if (days > 3650) throw configError('REQUEST_LOG_RETENTION_DAYS', `must be a whole number of days from 1 to 3650; got ${days}.`);
  return days;
}

export function parseConfig(env: object): Config {
  const specs = [...PROVIDERS, ...customProviders(readVariable(env, 'CUSTOM_PROVIDERS'), PROVIDER_NAMES)];
  const defaultProvider = readVariable(env, 'DEFAULT_PROVIDER');
  if (!specs.some((s) => s.name === defaultProvider)) {
    throw configError(
      'DEFAULT_PROVIDER',
      `unknown provider "${defaultProvider}"; known providers: ${specs.map((s) => s.name).join(', ')}.`,
    );
  }
  const origins = commaList(readVariable(env, 'ALLOWED_ORIGINS'));
  const relay = relayProviders(env, specs);
  const providers = new Map(specs.map((spec) => [spec.name, providerConfig(env, spec, relay)]));
  const telemetry = readTelemetrySettings(env);
  return {
    gatewayKeys: commaList(readVariable(env, 'GATEWAY_API_KEYS')),
    secrets: secretValues(env, providers.values(), Object.values(telemetry?.headers ?? {})),
    allowAnonymous: boolean(env, 'ALLOW_ANONYMOUS'),
    allowedOrigins: origins.includes('*') ? '*' : origins,
    defaultProvider,
    defaultModel: readVariable(env, 'DEFAULT_MODEL'),
    aliases: jsonStringMap(env, 'MODEL_ALIASES'),
    maxBodyBytes: positiveInt(env, 'MAX_BODY_BYTES'),
    providers,
    resilience: resilience(env),
    cache: cache(env),
    tools: parseToolSettings(env),
    tokens: tokenSettings(env),
    limits: readLimitSettings(env),
    responses: responseStoreSettings(env),
    requestLogRetentionDays: requestLogRetentionDays(env),
    resumable: readResumableSettings(env),
    telemetry,
  };
}

let cached: { env: object; config: Config } | undefined;

/** The config for this env, parsed once per isolate (re-parsed only when the env object changes, as in tests). */
export function configFor(env: object): Config {
  if (cached?.env !== env) cached = { env, config: parseConfig(env) };
  return cached.config;
}
