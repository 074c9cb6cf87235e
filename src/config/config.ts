import { configError } from '../errors.ts';
import type { CacheSettings } from '../cache/cache-plan.ts';
import type { CooldownSettings } from '../core/cooldown.ts';
import type { BackoffSettings } from '../core/retry-timing.ts';
import { PROVIDERS, PROVIDER_NAMES, type ProviderSpec } from '../providers/catalog.ts';
import { readVariable } from './variables.ts';

/** A provider as this deployment configured it. */
export interface ProviderConfig {
  readonly spec: ProviderSpec;
  readonly baseURL: string;
  /** Undefined when the secret is not set. */
  readonly apiKey: string | undefined;
  readonly azureApiVersion: string;
}

/** Everything the gateway reads from vars and secrets, validated once per isolate. */
export interface Config {
  readonly gatewayKeys: readonly string[];
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
}

/** Retries, fallbacks, deadlines and cooldown. */
export interface ResilienceSettings {
  readonly maxAttempts: number;
  readonly backoff: BackoffSettings;
  /** Model (as named, or as `provider/model`) → the models to try after it. */
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly firstByteTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveMs: number;
  readonly cooldown: CooldownSettings;
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

function positiveInt(env: object, name: string): number {
  const raw = readVariable(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw configError(name, `expected a positive whole number, got "${raw}".`);
  return n;
}

function boolean(env: object, name: string): boolean {
  const raw = readVariable(env, name).toLowerCase();
  if (raw !== 'true' && raw !== 'false') throw configError(name, `expected "true" or "false", got "${raw}".`);
  return raw === 'true';
}

function jsonObject(env: object, name: string, example: string): Record<string, unknown> {
  const raw = readVariable(env, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError(name, `is not valid JSON (expected an object like ${example}).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw configError(name, `must be a JSON object like ${example}.`);
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
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) throw configError(name, `the value of "${key}" must be a list of model names.`);
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

function cache(env: object): CacheSettings {
  return { mode: oneOf(env, 'CACHE_MODE', ['off', 'deterministic', 'all'] as const), ttl: positiveInt(env, 'CACHE_TTL'), scope: oneOf(env, 'CACHE_SCOPE', ['key', 'shared'] as const) };
}

function resilience(env: object): ResilienceSettings {
  return {
    maxAttempts: positiveInt(env, 'MAX_ATTEMPTS'),
    backoff: { baseMs: positiveInt(env, 'RETRY_BASE_MS'), capMs: positiveInt(env, 'RETRY_MAX_MS') },
    fallbacks: jsonListMap(env, 'FALLBACKS'),
    timeoutMs: positiveInt(env, 'REQUEST_TIMEOUT_MS'),
    maxTimeoutMs: positiveInt(env, 'MAX_REQUEST_TIMEOUT_MS'),
    firstByteTimeoutMs: positiveInt(env, 'FIRST_BYTE_TIMEOUT_MS'),
    idleTimeoutMs: positiveInt(env, 'STREAM_IDLE_TIMEOUT_MS'),
    keepAliveMs: positiveInt(env, 'KEEPALIVE_INTERVAL_MS'),
    cooldown: { failures: positiveInt(env, 'COOLDOWN_FAILURES'), windowMs: positiveInt(env, 'COOLDOWN_WINDOW_MS'), cooldownMs: positiveInt(env, 'COOLDOWN_MS') },
  };
}

function providerConfig(env: object, spec: ProviderSpec): ProviderConfig {
  const keyVar = spec.keyVar ?? (spec.name === 'ollama' ? 'OLLAMA_API_KEY' : null);
  const apiKey = keyVar ? readVariable(env, keyVar) || undefined : undefined;
  let baseURL = readVariable(env, spec.baseUrlVar).replace(/\/+$/, '');
  if (baseURL.includes('{account}')) baseURL = baseURL.replace('{account}', readVariable(env, 'CLOUDFLARE_ACCOUNT_ID'));
  return { spec, baseURL, apiKey, azureApiVersion: readVariable(env, 'AZURE_OPENAI_API_VERSION') };
}

/** Reads and validates the configuration; throws a 500 `config_error` naming the variable that is wrong. */
export function parseConfig(env: object): Config {
  const defaultProvider = readVariable(env, 'DEFAULT_PROVIDER');
  if (!PROVIDER_NAMES.includes(defaultProvider)) {
    throw configError('DEFAULT_PROVIDER', `unknown provider "${defaultProvider}"; known providers: ${PROVIDER_NAMES.join(', ')}.`);
  }
  const origins = list(readVariable(env, 'ALLOWED_ORIGINS'));
  return {
    gatewayKeys: list(readVariable(env, 'GATEWAY_API_KEYS')),
    allowAnonymous: boolean(env, 'ALLOW_ANONYMOUS'),
    allowedOrigins: origins.includes('*') ? '*' : origins,
    defaultProvider,
    defaultModel: readVariable(env, 'DEFAULT_MODEL'),
    aliases: jsonStringMap(env, 'MODEL_ALIASES'),
    maxBodyBytes: positiveInt(env, 'MAX_BODY_BYTES'),
    providers: new Map(PROVIDERS.map((spec) => [spec.name, providerConfig(env, spec)])),
    resilience: resilience(env),
    cache: cache(env),
  };
}

let cached: { env: object; config: Config } | undefined;

/** The config for this env, parsed once per isolate (re-parsed only when the env object changes, as in tests). */
export function configFor(env: object): Config {
  if (cached?.env !== env) cached = { env, config: parseConfig(env) };
  return cached.config;
}
