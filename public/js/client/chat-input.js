// Built by scripts/build-playground.ts from src/client/chat-input.ts: edit that file, not this one.
/** A message of a conversation, in OpenAI's Chat Completions shape. */
                              
                                                                        
                                  
                         
                                 
                                  
                        
                              
                                                                             
      
 

/** The input of `/chat` and `/stream`: `messages` or `prompt`, and the usual parameters. */
                            
                                             
                           
                           
                                                                                
                          
                                                                                                     
                                      
                                
                               
                          
                         
                                             
                                                                                                     
                                      
                                 
                                                                                                            
                                   
 

/** Every field of `/chat` and `/stream`: the gateway refuses any other (so does this list, by dropping it). */
export const CHAT_INPUT_FIELDS = [
  'messages',
  'prompt',
  'system',
  'model',
  'models',
  'temperature',
  'max_tokens',
  'top_p',
  'seed',
  'stop',
  'tools',
  'tool_choice',
  'max_iterations',
]                                                ;

/** The request body: only the chat fields (the gateway refuses unknown ones), without the undefined ones. */
export function chatBody(input           )                          {
  const body                          = {};
  for (const field of CHAT_INPUT_FIELDS) if (input[field] !== undefined) body[field] = input[field];
  return body;
}
