// Built by scripts/build-playground.ts from src/client/extract.ts: edit that file, not this one.
                                                   
import {                                      sendJson } from './request.js';
                                                   

/** The input of `POST /extract`: a JSON Schema, and `text` or `messages` to extract from. */
                               
                                           
                         
                                             
                                 
                          
                                                                                                             
                                 
 

/** Data that matched the schema (the gateway validated it), and how it was obtained. */
                                   
                   
                         
                                            
                                                     
                            
                            
 

/**
 * Structured data from `POST /extract`, validated by the gateway against `schema`. A refusal or no valid
 * answer within the attempts throws `GatewayClientError` with status 422 (`refusal`, `extraction_failed`).
 *
 * @example
 * const { data } = await extract<{ name: string }>({ key, text: 'My name is Ada', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
 */
export async function extract             (options                              )                            {
  const { schema, text, messages, instructions, model, max_attempts } = options;
  const body = Object.fromEntries(
    Object.entries({ schema, text, messages, instructions, model, max_attempts }).filter(([, v]) => v !== undefined),
  );
  // The gateway's documented shape for /extract; `data` matched the caller's schema on the server.
  const { data, info } = await sendJson                                (options, 'POST', '/extract', body);
  return { ...data, info };
}
