import { GatewayError } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import { maxOutputTokens } from '../providers/model-catalog.ts';
import { resolveModel } from '../providers/resolve-model.ts';
import { modelLimits, priceOf } from '../tokens/prices.ts';

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
    ...(price ? { pricing: { input: price.input, ...(price.cachedInput !== undefined ? { cached_input: price.cachedInput } : {}), output: price.output, unit: 'usd_per_million_tokens' } } : {}),
  };
}

/** The models this deployment names: the default, every alias, and every model the deployer priced in MODEL_PRICES. */
function served(rc: RequestContext): Record<string, unknown>[] {
  const { defaultModel, aliases, tokens } = rc.config;
  const data = [entry(rc, defaultModel)];
  for (const [alias, target] of Object.entries(aliases)) data.push(entry(rc, alias, `alias of ${target}`));
  for (const id of tokens.prices.keys()) if (!data.some((d) => d['id'] === id)) data.push(entry(rc, id));
  return data;
}

/** `GET /v1/models`: the models this deployment names, in OpenAI's list shape with limits and prices. */
export function models(_request: Request, rc: RequestContext): Response {
  return Response.json({ object: 'list', data: served(rc) });
}

/** `GET /v1/models/:id`: one of them (any `provider/model` the gateway can call is described). */
export function model(_request: Request, rc: RequestContext): Response {
  const params = rc.route?.params ?? {};
  const id = params['provider'] ? `${params['provider']}/${params['id']}` : (params['id'] ?? '');
  const listed = served(rc).find((m) => m['id'] === id);
  if (listed) return Response.json(listed);
  try {
    resolveModel(id, rc.config);
  } catch (error) {
    if (error instanceof GatewayError && error.status === 400) throw new GatewayError(404, `The model "${id}" does not exist on this gateway.`, { code: 'unknown_route', param: 'model' });
    throw error;
  }
  return Response.json(entry(rc, id));
}
