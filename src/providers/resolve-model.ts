import { GatewayError, invalidField } from '../errors.ts';
import type { ProviderConfig } from './provider-config.ts';
import type { Target } from './target.ts';

/** What resolving a model name needs from the configuration (the gateway's Config has it; providers never import config). */
export interface ModelDirectory {
  readonly defaultProvider: string;
  readonly defaultModel: string;
  readonly aliases: Readonly<Record<string, string>>;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
}

/** Claude's own model names (`claude-sonnet-4-5`, `claude-3-5-haiku-latest`): Anthropic's clients send them bare. */
const CLAUDE = /^claude-/;

/**
 * Resolves a model name as a client wrote it to a Target: aliases first (`fast` → `groq/llama-…`),
 * then `provider/model`, then a bare Claude name on `anthropic`, then any other bare name on DEFAULT_PROVIDER;
 * no name means DEFAULT_MODEL. Throws 400 for an unknown provider and 500 naming the secret for a provider
 * without its key.
 */
export function resolveModel(name: string | undefined, config: ModelDirectory, param = 'model'): Target {
  const target = locateModel(name, config, param);
  const missing = missingSetting(target.provider);
  if (missing) {
    throw new GatewayError(500, `Provider ${target.id.slice(0, target.id.indexOf('/'))} is not configured: set ${missing}.`, {
      type: 'server_error',
      code: 'provider_not_configured',
      param,
    });
  }
  return target;
}

/**
 * The Target a model name stands for, whether or not its provider is configured here (what counting tokens
 * needs: the name, never a key). 400 for an unknown provider or an empty model name.
 */
export function locateModel(name: string | undefined, config: ModelDirectory, param = 'model'): Target {
  let full = name?.trim() || config.defaultModel;
  for (let hops = 0; config.aliases[full] !== undefined && hops < 5; hops++) full = config.aliases[full] ?? full;
  if (CLAUDE.test(full) && config.providers.has('anthropic')) full = `anthropic/${full}`;
  const slash = full.indexOf('/');
  const prefix = slash === -1 ? '' : full.slice(0, slash);
  const known = config.providers.get(prefix);
  const providerName = known ? prefix : slash === -1 ? config.defaultProvider : undefined;
  if (providerName === undefined) {
    throw invalidField(
      param,
      `Unknown provider "${prefix}" in model "${full}". Name models as provider/model; known providers: ${[...config.providers.keys()].join(', ')}.`,
      'unknown_provider',
    );
  }
  const provider = config.providers.get(providerName);
  const model = known ? full.slice(slash + 1) : full;
  if (!provider) throw invalidField(param, `Unknown provider "${providerName}".`, 'unknown_provider');
  if (model === '') throw invalidField(param, `Model "${full}" names no model after the provider.`, 'invalid_value');
  return { provider, model, id: `${providerName}/${model}` };
}

/** What a provider still needs before it can be called here (its key, its base URL), or undefined when nothing. */
function missingSetting(provider: ProviderConfig): string | undefined {
  const secret = provider.spec.keyVar;
  if (secret && provider.spec.keyRequired && !provider.apiKey)
    return `the secret ${secret}: locally, a line ${secret}=… in .dev.vars, then restart npm start; deployed, npx wrangler secret put ${secret} --env production`;
  if (!provider.baseURL || provider.baseURL.includes('/accounts//')) {
    // An empty `{account}` in the default URL means CLOUDFLARE_ACCOUNT_ID is missing, not the URL itself.
    return provider.spec.defaultBaseUrl.includes('{account}') ? 'CLOUDFLARE_ACCOUNT_ID' : (provider.spec.baseUrlVar ?? 'CUSTOM_PROVIDERS');
  }
  return undefined;
}

/** Whether a provider can be called here: its key is set (or it needs none) and it has a base URL. */
export const providerConfigured = (provider: ProviderConfig): boolean => missingSetting(provider) === undefined;
