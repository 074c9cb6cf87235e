// Built by scripts/build-playground.ts from src/client/count-tokens.ts: edit that file, not this one.
                                                   
import {                     sendJson } from './request.js';

/** What `POST /v1/tokens/count` answers: the prompt's tokens and the model's limits. */
                             
                          
                                                                                                
                              
                                         
                                            
 

/**
 * Counts a conversation's prompt tokens for a model, before sending it (a token meter).
 *
 * @example
 * const { tokens, context_window } = await countTokens({ key, model: 'openai/gpt-4o-mini', messages });
 */
export async function countTokens(
  options                                                                                                                            ,
)                      {
  const { model, messages, tools } = options;
  const { data } = await sendJson            (
    options,
    'POST',
    '/v1/tokens/count',
    tools === undefined ? { model, messages } : { model, messages, tools },
  );
  return data;
}
