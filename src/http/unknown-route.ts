// The text of a 404: what was asked, and what the gateway serves instead. A client pointed at the gateway
// often asks for another API (Anthropic's Messages, the Responses API), a path beside a served one or has its base URL one
// `/v1` off; each gets a sentence that says so, not one generic hint.

/** What the gateway serves, for the texts below; not a full list (routes grow), which docs/routes.md is. */
const CHAT_API = "OpenAI's Chat Completions API (POST /v1/chat/completions, GET /v1/models)";
const MAIN_ROUTES = 'POST /v1/chat/completions, GET /v1/models, POST /chat, GET or POST /stream, POST /extract, GET /health';

/** Long paths are cut in the message; the query string is never part of it (it may carry a key). */
const MAX_PATH = 200;

/**
 * The message of the 404 for a request no route serves: names the method and path, and what to call instead.
 * @example unknownRouteMessage('POST', '/v1/embeddings/batch') // "Unknown route POST /v1/embeddings/batch: embeddings are served at exactly POST /v1/embeddings …"
 */
export function unknownRouteMessage(method: string, path: string): string {
  const asked = `Unknown route ${method} ${path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path}`;
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

  if (path.startsWith('/v1/v1/'))
    return `${asked}: the client's base URL ends in /v1 and the path starts with /v1 again. Set the base URL to the gateway's origin plus /v1 once (https://<gateway>/v1); it serves ${CHAT_API}.`;
  if (path === '/chat/completions' || path === '/models')
    return `${asked}: OpenAI's API lives under /v1 here. Set the client's base URL to https://<gateway>/v1 (with /v1), so it calls /v1${path}.`;
  if (under('/v1/embeddings'))
    return `${asked}: embeddings are served at exactly POST /v1/embeddings (OpenAI's embeddings API), for the providers that have them.`;
  if (under('/v1/messages'))
    return `${asked}: of Anthropic's Messages API this gateway serves POST /v1/messages and POST /v1/messages/count_tokens (no batches). Set the Anthropic client's base URL to the gateway's origin, without /v1.`;
  if (path === '/v1/completions')
    return `${asked}: that is OpenAI's legacy Completions API (a "prompt" in, text out), which this gateway does not serve. Use POST /v1/chat/completions with "messages": [{"role":"user","content":<your prompt>}].`;
  if (under('/v1/responses'))
    return `${asked}: of OpenAI's Responses API this gateway serves POST /v1/responses, and GET or DELETE /v1/responses/<id> and GET /v1/responses/<id>/input_items for the responses your key stored (nothing runs in the background to cancel, and no conversations are kept).`;
  if (method === 'GET' && path.startsWith('/v1/models/'))
    return `${asked}: a model is described at GET /v1/models/<provider>/<model> (e.g. /v1/models/openai/gpt-4o-mini), and GET /v1/models lists the models this deployment names.`;
  if (under('/v1')) return `${asked}. Under /v1 this gateway speaks ${CHAT_API}; docs/routes.md lists every route.`;
  return `${asked}. The gateway's main routes: ${MAIN_ROUTES} (docs/routes.md lists every one).`;
}
