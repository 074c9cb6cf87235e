// Dispatch by path. Model endpoints match on the path's END, so any prefix
// works (/v1, /openai/deployments/<name>, /anthropic/v1, …).
import { checkAuth } from './auth.ts';
import { handleChat } from './chat.ts';
import { handleControl } from './control.ts';
import { handleEmbeddings } from './embeddings.ts';
import { invalidKeyError, openAIError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { send, sendJson } from './http.ts';
import { MODELS_BODY } from './models.ts';
import { handleResponses } from './responses.ts';
import type { MockState } from './state.ts';
import { receiveTraces } from './traces.ts';

export async function route(ex: Exchange, state: MockState): Promise<void> {
  const { req, res } = ex;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const method = req.method ?? 'GET';

  if (pathname.startsWith('/__mock/')) return handleControl(ex, pathname, state);
  if (method === 'POST' && pathname.endsWith('/v1/traces')) return receiveTraces(ex, state.traces);
  if (method === 'POST' && pathname.endsWith('/chat/completions')) return handleChat(ex, pathname, state);
  if (method === 'POST' && pathname.endsWith('/responses')) return handleResponses(ex, state);
  if (method === 'POST' && pathname.endsWith('/embeddings')) return handleEmbeddings(ex, pathname, state);
  if (method === 'GET' && pathname.endsWith('/models')) {
    const auth = checkAuth(req.headers);
    if (!auth.ok) return sendJson(res, 401, invalidKeyError(auth.key));
    return send(res, 200, MODELS_BODY, { 'content-type': 'application/json' });
  }
  return sendJson(res, 404, openAIError(`Invalid URL (${method} ${pathname})`, 'invalid_request_error'));
}
