// Built by scripts/build-playground.ts from src/client/usage.ts: edit that file, not this one.
import {                     sendJson } from './request.js';

/** Spend over one period. */
                              
                                                             
                          
                            
                          
                       
 

/** A limit per name (`requests_per_minute`, `tokens_per_day`, `usd_per_day`, `usd_per_month`); null is no limit. */
                                                                  

/**
 * What `GET /v1/usage` answers for the calling key: requests, tokens and cost this minute, today and this
 * month, what is reserved by calls under way, its limits and what remains of them.
 */
                              
                                       
                                                 
                            
                              
                                                                                                     
                               
                                  
 

/**
 * The calling key's usage and limits.
 *
 * @example
 * const { day, limits } = await usage({ key });
 */
export async function usage(options               )                       {
  // The gateway's documented shape for /v1/usage; the playground still checks the parts it shows.
  const { data } = await sendJson             (options, 'GET', '/v1/usage');
  return data;
}
