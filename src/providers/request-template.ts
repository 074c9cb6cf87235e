import { APIError, type OpenAI } from 'openai';

/** What the SDK sends for a chat completion to one provider and model, all but the body and the signal. */
export interface RequestTemplate {
  readonly url: string;
  readonly init: RequestInit;
}

// Model names come from callers: bounded, like every per-isolate cache.
const MODELS_MAX = 1000;

/**
 * The openai SDK builds every request's URL and headers anew (auth, Azure's deployment path and api-version,
 * its own headers, debug details it then drops), which costs more CPU than the rest of a call. They depend only
 * on the client and, for Azure, the model, so the SDK builds them once per isolate (`buildRequest`, its own code,
 * nothing copied) and each call replays them with its own body.
 */
export function requestTemplates(): (client: OpenAI, model: string, modelInPath: boolean, timeoutMs: number) => Promise<RequestTemplate> {
  const byClient = new WeakMap<OpenAI, Map<string, Promise<RequestTemplate>>>();
  return (client, model, modelInPath, timeoutMs) => {
    let byModel = byClient.get(client);
    if (!byModel) {
      byModel = new Map();
      byClient.set(client, byModel);
    }
    // The timeout is one of the SDK's headers (x-stainless-timeout); callers pass one constant.
    const key = modelInPath ? `${timeoutMs} ${model}` : String(timeoutMs);
    let template = byModel.get(key);
    if (!template) {
      template = build(client, model, timeoutMs);
      if (byModel.size < MODELS_MAX) byModel.set(key, template);
      // A build that failed (a misconfigured provider) is tried again by the next call, which fails the same way.
      template.catch(() => byModel.delete(key));
    }
    return template;
  };
}

async function build(client: OpenAI, model: string, timeout: number): Promise<RequestTemplate> {
  const { req, url } = await client.buildRequest({ method: 'post', path: '/chat/completions', body: { model }, timeout });
  const headers = new Headers(req.headers as HeadersInit);
  const init: RequestInit = { method: 'POST', headers };
  // Azure's api-key must not follow a redirect to another host: the SDK asks for manual redirects there.
  if (req.redirect) init.redirect = req.redirect;
  return { url, init };
}

/** A non-2xx answer as the SDK's own error for it (what `create()` would have thrown). */
export async function statusError(response: Response): Promise<APIError> {
  const text = await response.text().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // As the SDK does: a body without an `error` field is the error itself; a body that is not JSON is its message.
  const body = json !== null && typeof json === 'object' && (json as { error?: unknown }).error == null ? { error: json } : json;
  return APIError.generate(response.status, body as object | undefined, json ? undefined : text, response.headers);
}
