// Built by scripts/build-playground.ts from src/client/request.ts: edit that file, not this one.
import { clientError, errorFromResponse } from './client-error.js';

/** Where the gateway is and how to call it; shared by every helper. */
                                
                                                                                                                         
                            
                                                                                                       
                        
                                                                             
                                
                                                                              
                                                      
                                                       
                                
 

/** What the gateway said about an answer in its headers. */
                             
                                                                
                                     
                                                                           
                                        
                                                       
                                     
                                                                                                   
                                       
                                         
                                                                                                                       
                                        
 

/** Reads the gateway's answer headers. */
export function answerInfo(headers         )             {
  const attempts = headers.get('x-gateway-attempts');
  const cost = headers.get('x-gateway-cost-usd');
  return {
    model: headers.get('x-gateway-model') ?? undefined,
    attempts: attempts === null ? undefined : Number(attempts),
    cache: headers.get('x-gateway-cache') ?? undefined,
    costUsd: cost === null || !Number.isFinite(Number(cost)) ? undefined : Number(cost),
    requestId: headers.get('x-request-id') ?? undefined,
    streamId: headers.get('x-gateway-stream-id') ?? undefined,
  };
}

/**
 * Sends one request to the gateway and returns its 2xx response. Throws `GatewayClientError`: the gateway's
 * error for a non-2xx answer, `gateway_unreachable` when no answer came. An abort rethrows the signal's reason.
 */
export async function send(
  options               ,
  method                           ,
  path        ,
  body          ,
  accept = 'application/json',
)                    {
  const headers                         = { accept, ...options.headers };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const url = `${(options.baseUrl ?? '').replace(/\/+$/, '')}${path}`;
  const init              = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (options.signal) init.signal = options.signal;
  let response          ;
  try {
    response = await (options.fetch ?? fetch)(url, init);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw clientError(
      'gateway_unreachable',
      `Could not reach the gateway: ${method} ${url} (${error instanceof Error ? error.message : String(error)}).`,
      error,
    );
  }
  if (!response.ok) throw await errorFromResponse(response, `${method} ${path}`);
  return response;
}

/** `send`, then the JSON body. */
export async function sendJson   (
  options               ,
  method                ,
  path        ,
  body          ,
)                                         {
  const response = await send(options, method, path, body);
  let data   ;
  try {
    data = (await response.json())     ;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw clientError('malformed_response', `${method} ${path}: the gateway's answer is not JSON.`, error);
  }
  return { data, info: answerInfo(response.headers) };
}
