import type { RequestContext } from '../http/context.ts';

/** `GET /v1/models`: the default model and every alias, in OpenAI's list shape. */
export function models(_request: Request, rc: RequestContext): Response {
  const { defaultModel, aliases } = rc.config;
  const entry = (id: string, ownedBy: string) => ({ id, object: 'model', created: 0, owned_by: ownedBy });
  const data = [entry(defaultModel, defaultModel.split('/')[0] ?? 'gateway')];
  for (const [alias, target] of Object.entries(aliases)) data.push(entry(alias, `alias of ${target}`));
  return Response.json({ object: 'list', data });
}
