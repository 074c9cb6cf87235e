// Built by scripts/build-playground.ts from public/playground/explain-error.ts: edit that file, not this one.
import { GatewayClientError } from '../client/index.js';

/** What to tell a person about a failed call: a headline saying what happened and what to do, and the details. */
                            
                         
                          
 

/**
 * Turns any failure of a call into words for a person. `arrived`: whether part of the answer had arrived (an
 * `error` event from a stream that had started, status 200, or a connection cut during it).
 */
export function explainError(error         , arrived = false)            {
  if (!(error instanceof GatewayClientError))
    return { title: 'Something went wrong in the page.', detail: error instanceof Error ? error.message : String(error) };
  const detail = error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  const code = error.code ?? '';
  if (error.code === 'gateway_unreachable')
    return { title: 'The gateway cannot be reached. Is it running (npm start), and is this the right address?', detail };
  if (error.code === 'stream_incomplete') return { title: 'The connection was cut before the answer finished.', detail };
  if (code === 'missing_api_key') return { title: 'This gateway needs a key: enter your gateway key above.', detail };
  if (error.status === 401) return { title: 'The gateway key was not accepted: check the key above.', detail };
  if (error.status === 403) return { title: 'This key may not do that (model, origin or route not allowed).', detail };
  // The gateway's own words for a budget say what is left and what would fit (a lower max_tokens): show them as they are.
  if (code === 'budget_exceeded' || (code === 'limit_exceeded' && error.retryAfterSeconds === undefined))
    return { title: error.message, detail: error.requestId ? `request ${error.requestId}` : '' };
  if (/budget|quota|spend/i.test(code) || error.status === 402)
    return { title: "This key's budget is spent: no more calls until it renews or is raised.", detail };
  if (error.status === 429) {
    const wait = error.retryAfterSeconds === undefined ? 'a little while' : `${Math.ceil(error.retryAfterSeconds)} s`;
    return { title: `Rate limited: try again in ${wait}.`, detail };
  }
  if (arrived) return { title: 'The answer failed part-way: what arrived is kept above.', detail };
  if (error.status === 200) return { title: 'The model call failed before any of the answer arrived.', detail };
  if (error.status === 0) return { title: 'The gateway sent something the page cannot read.', detail };
  if (error.status >= 500) return { title: `The gateway or the model provider failed (HTTP ${error.status}).`, detail };
  return { title: `The gateway refused the request (HTTP ${error.status}${code ? `, ${code}` : ''}).`, detail };
}
