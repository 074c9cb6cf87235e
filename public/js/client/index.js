// Built by scripts/build-playground.ts from src/client/index.ts: edit that file, not this one.
// The gateway's browser client: typed, no dependencies, plain `fetch`. Works in browsers, Workers and Node 18+.
export { chat,                 } from './chat.js';
                                                              
export { GatewayClientError,                      } from './client-error.js';
export { countTokens,                 } from './count-tokens.js';
                                                                                                                 
export { extract,                                       } from './extract.js';
export { listModels,                   } from './models.js';
                                                              
export { SseDecoder,                 } from './sse-decoder.js';
export { resumeStream,                           streamChat,                        } from './stream-chat.js';
export { usage,                                                      } from './usage.js';
export {
  adminLogs,
  adminStats,
                
                  
               
                  
                  
                   
} from './admin-log.js';
