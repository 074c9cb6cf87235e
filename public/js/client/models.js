// Built by scripts/build-playground.ts from src/client/models.ts: edit that file, not this one.
import {                     sendJson } from './request.js';

/**
 * A model the gateway serves, in OpenAI's model shape, with the extension fields a frontend needs when the
 * gateway reports them (absent otherwise): context window, output limit, prices in USD per million tokens.
 */
                               
                      
                           
                            
                                   
                                      
                                                                                                           
 

/**
 * The models `GET /v1/models` lists: the default model and every alias.
 *
 * @example
 * const models = await listModels({ key });
 */
export async function listModels(options               )                          {
  const { data } = await sendJson                          (options, 'GET', '/v1/models');
  return Array.isArray(data.data) ? data.data : [];
}
