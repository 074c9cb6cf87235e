// Built by scripts/build-playground.ts from src/client/usage.ts: edit that file, not this one.
import {                     sendJson } from './request.js';

/** Spend over one period, and the key's limit for it when it has one. */
                              
                             
                           
                             
 

/**
 * What `GET /v1/usage` answers for the calling key: requests, tokens and cost today and this month, its
 * limits and what remains. Every field is optional: a gateway reports what it tracks.
 */
                              
                               
                               
                                                            
                                                               
                                    
 

/**
 * The calling key's usage and limits.
 *
 * @example
 * const { today, limits } = await usage({ key });
 */
export async function usage(options               )                       {
  const { data } = await sendJson             (options, 'GET', '/v1/usage');
  return data;
}
