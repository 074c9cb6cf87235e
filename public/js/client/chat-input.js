// Built by scripts/build-playground.ts from src/client/chat-input.ts: edit that file, not this one.
/** A message of a conversation, in OpenAI's Chat Completions shape. */
                              
                                                                        
                                  
                         
                                 
                                  
                        
                              
                                                                             
      
 

/** The input of `/chat` and `/stream`: `messages` or `prompt`, and the usual parameters. */
                            
                                             
                           
                           
                                                                                
                          
                                
                               
                          
                         
                                             
                                                                                                     
                                      
                                 
 

const FIELDS = [
  'messages',
  'prompt',
  'system',
  'model',
  'temperature',
  'max_tokens',
  'top_p',
  'seed',
  'stop',
  'tools',
  'tool_choice',
]         ;

/** The request body: only the chat fields (the gateway refuses unknown ones), without the undefined ones. */
export function chatBody(input           )                          {
  const body                          = {};
  for (const field of FIELDS) if (input[field] !== undefined) body[field] = input[field];
  return body;
}
