import { configError } from '../http/errors.ts';
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

function jsonStringMap(env: object, name: string): Record<string, string> {
  const raw = readVariable(env, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError(name, 'is not valid JSON (expected an object like {"fast":"groq/llama-3.1-8b-instant"}).');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw configError(name, 'must be a JSON object.');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' || value === '') throw configError(name, `the value of "${key}" must be a non-empty string.`);
    out[key] = value;
  }
  return out;
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
  };
}

let cached: { env: object; config: Config } | undefined;

/** The config for this env, parsed once per isolate (re-parsed only when the env object changes, as in tests). */
export function configFor(env: object): Config {
  if (cached?.env !== env) cached = { env, config: parseConfig(env) };
  return cached.config;
}
