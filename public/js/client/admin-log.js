// Built by scripts/build-playground.ts from src/client/admin-log.ts: edit that file, not this one.
import {                     sendJson } from './request.js';

/** One call in the request log (`GET /admin/logs`): what the gateway stored of it; never a prompt or an answer. */
                           
                              
                                                  
                      
                                                                                             
                                   
                          
                         
                           
                           
                                          
                                                               
                                
                                   
                          
                                     
                                               
                            
                                   
                                
                                        
                                        
                                            
                                   
                                   
                              
                                  
                                     
 

/** One page of the log, newest first; `next_cursor` continues after its last row. */
                          
                          
                                     
                             
                                      
 

/** Filters of `GET /admin/logs`; times are ISO 8601 (`from` inclusive, `to` exclusive). */
                             
                        
                                                              
                          
                           
                         
                       
                                                    
                          
                           
 

/** One time bucket of one group in `GET /admin/stats`. */
                             
                                                                   
                          
                                 
                               
                                    
                            
                                                     
                          
                              
                                                                                                                    
                              
                                
                                 
                                 
                                     
                            
                                         
                                         
 

                             
                                  
                                             
                         
                       
 

                              
                                   
                                 
                                            
                        
                      
                                                                        
                              
                                       
 

/** The query string of the given fields, without the empty ones. */
function query(fields        )         {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * A page of the request log. `key` in the options is the gateway's admin token (ADMIN_TOKEN), not a gateway key.
 *
 * @example
 * const page = await adminLogs({ key: adminToken }, { status: 500, limit: 50 });
 * if (page.has_more) await adminLogs({ key: adminToken }, { status: 500, limit: 50, cursor: page.next_cursor ?? '' });
 */
export async function adminLogs(options               , filters             = {})                   {
  return (await sendJson         (options, 'GET', `/admin/logs${query(filters)}`)).data;
}

/**
 * Requests, errors, tokens, cost and latency percentiles per day or hour and per model, key or provider, from the
 * request log. `key` in the options is the admin token.
 *
 * @example
 * const { data } = await adminStats({ key: adminToken }, { group: 'day', by: 'model' });
 */
export async function adminStats(options               , stats             = {})                       {
  return (await sendJson             (options, 'GET', `/admin/stats${query(stats)}`)).data;
}
