import { GatewayError } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import { maxOutputTokens } from '../providers/model-catalog.ts';
import { providerConfigured, resolveModel } from '../providers/resolve-model.ts';
import { knownChatModels, modelLimits, priceOf } from '../tokens/prices.ts';

/**
 * One entry of the list: OpenAI's model object, plus what a frontend needs to show a meter and a price
 * (extension fields OpenAI's clients ignore): context window, output limit, US dollars per million tokens.
 */
function entry(rc: RequestContext, id: string, ownedBy?: string): Record<string, unknown> {
  let target: string;
  try {
    target = resolveModel(id, rc.config).id;
  } catch {
    target = id;
  }
  const owner = ownedBy ?? (target.slice(0, Math.max(0, target.indexOf('/'))) || 'gateway');
  const prices = rc.config.tokens.prices;
  const limits = modelLimits(target, prices);
  const price = priceOf(target, prices);
  const maxOutput = limits.maxOutputTokens ?? maxOutputTokens(target.slice(target.indexOf('/') + 1));
  return {
    id,
    object: 'model',
    created: 0,
    owned_by: owner,
    ...(limits.contextWindow ? { context_window: limits.contextWindow } : {}),
    ...(maxOutput ? { max_output_tokens: maxOutput } : {}),
    ...(price
      ? {
          pricing: {
            input: price.input,
            ...(price.cachedInput !== undefined ? { cached_input: price.cachedInput } : {}),
            output: price.output,
            unit: 'usd_per_million_tokens',
          },
        }
      : {}),
  };
}

/**
 * The models this deployment names: the default, every alias, every model the deployer priced in MODEL_PRICES,
 * then the current chat models the price data knows for each configured provider.
 */
function served(rc: RequestContext): Map<string, string | undefined> {
  const { defaultModel, aliases, tokens, providers } = rc.config;
  // Each id once, with who owns it when that is not its provider (an alias); entries are built only for what is answered.
  const listed = new Map<string, string | undefined>([[defaultModel, undefined]]);
  const add = (id: string, ownedBy?: string) => {
    if (!listed.has(id)) listed.set(id, ownedBy);
  };
  for (const [alias, target] of Object.entries(aliases)) add(alias, `alias of ${target}`);
  for (const id of tokens.prices.keys()) add(id);
  for (const [name, provider] of providers)
    if (providerConfigured(provider)) for (const model of knownChatModels(name)) add(`${name}/${model}`);
  return listed;
}

/** `GET /v1/models`: the models this deployment names, in OpenAI's list shape with limits and prices. */
export function models(_request: Request, rc: RequestContext): Response {
  return Response.json({ object: 'list', data: [...served(rc)].map(([id, ownedBy]) => entry(rc, id, ownedBy)) });
}

/** `GET /v1/models/:id`: one of them (any `provider/model` the gateway can call is described). */
export function model(_request: Request, rc: RequestContext): Response {
  const params = rc.route.params;
  const id = params['provider'] ? `${params['provider']}/${params['id']}` : (params['id'] ?? '');
  const listed = served(rc);
  if (listed.has(id)) return Response.json(entry(rc, id, listed.get(id)));
  try {
    resolveModel(id, rc.config);
  } catch (error) {
    if (error instanceof GatewayError && error.status === 400)
      throw new GatewayError(404, `The model "${id}" does not exist on this gateway.`, { code: 'model_not_found', param: 'model' });
    throw error;
  }
  return Response.json(entry(rc, id));
}
