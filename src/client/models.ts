import { type ClientOptions, sendJson } from './request.ts';

/**
 * A model the gateway serves, in OpenAI's model shape, with the extension fields a frontend needs when the
 * gateway reports them (absent otherwise): context window, output limit, prices in USD per million tokens.
 */
export interface GatewayModel {
  readonly id: string;
  readonly object: 'model';
  readonly owned_by: string;
  readonly context_window?: number;
  readonly max_output_tokens?: number;
  readonly pricing?: { readonly input?: number; readonly cached_input?: number; readonly output?: number };
}

/**
 * The models `GET /v1/models` lists: the default model and every alias.
 *
 * @example
 * const models = await listModels({ key });
 */
export async function listModels(options: ClientOptions): Promise<GatewayModel[]> {
  const { data } = await sendJson<{ data: GatewayModel[] }>(options, 'GET', '/v1/models');
  return Array.isArray(data.data) ? data.data : [];
}
