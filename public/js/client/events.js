// Built by scripts/build-playground.ts from src/client/events.ts: edit that file, not this one.
// The gateway's `/stream` events, as they travel: one module both sides can import. The server's encoder
// (src/stream/gateway-sse.ts) can type its frames with `StreamEventData<K>` so the two never drift apart.

/** An error in OpenAI's shape: what every non-2xx body and every `error` event carries. */
                            
                           
                        
                                
                               
 

/** The `data` of each named `/stream` event, by event name. */
                                      
                                                             
                                                                  
     
                                                                                                       
                                                                                        
     
                                                                                                                                           
                                                                              
                                                                                                                                      
                                                                                                    
          
                                   
                                       
                                  
                               
                                                                                                                      
                                 
                                                                         
                                                                                
    
                                                                             
                                                                   
                                                                                     
                                       
 

                                                        

/** The `data` of one event. */
                                                                                

/** One parsed event, discriminated by `type` (the SSE event name). */
                                                                                                                     

/** The names a client understands; an event with another name is skipped, so servers can add events. */
export const STREAM_EVENT_NAMES                             = ['delta', 'tool_call', 'tool_result', 'usage', 'done', 'error'];
