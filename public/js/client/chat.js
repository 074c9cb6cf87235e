// Built by scripts/build-playground.ts from src/client/chat.ts: edit that file, not this one.
import {                 chatBody } from './chat-input.js';
import {                                      sendJson } from './request.js';
                                                   

/** The answer of `POST /chat`. */
                             
                                  
                         
                                 
                                            
                            
                                  
                        
                              
                                                                             
      
                                                                                    
                            
 

/**
 * One whole answer from `POST /chat`. Throws `GatewayClientError` on any failure.
 *
 * @example
 * const { content, usage } = await chat({ key, prompt: 'Hello', model: 'openai/gpt-4o-mini' });
 */
export async function chat(options                           )                      {
  // The gateway's documented shape for /chat; trusted, not validated field by field.
  const { data, info } = await sendJson                          (options, 'POST', '/chat', chatBody(options));
  return { ...data, info };
}
