// Reference Workers that show the floor under the gateway's figures, run by the same workerd binary with
// the gateway's compatibility settings: what the runtime costs with no code (`default`), what forwarding
// alone costs (`proxy`), the least a JSON-normalising gateway can do (`minimal`), and that plus one JSON
// log line per request (`logged`, as the gateway writes). The bench strips the types and runs this file
// inside workerd; it never runs on Node.

interface FloorEnv {
  /** The mock upstream's base URL, e.g. http://127.0.0.1:PORT/v1 */
  readonly UPSTREAM_URL: string;
  readonly UPSTREAM_KEY: string;
  readonly GATEWAY_KEY: string;
}

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-floor',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the floor worker.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 },
});

/** No work at all: reads the body and answers a fixed completion. The runtime's own cost per request. */
export default {
  async fetch(request: Request): Promise<Response> {
    await request.arrayBuffer();
    return new Response(COMPLETION, { headers: { 'content-type': 'application/json' } });
  },
};

/** Forwards the request as it is, with the upstream's key, and streams the answer back untouched. */
export const proxy = {
  fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    return fetch(`${env.UPSTREAM_URL}${url.pathname.replace(/^\/v1/, '')}`, {
      method: request.method,
      headers: { authorization: `Bearer ${env.UPSTREAM_KEY}`, 'content-type': 'application/json' },
      body: request.body,
    });
  },
};

/** Checks the key, parses and re-serialises the body both ways, as any normalising gateway must (non-stream only). */
export const minimal = {
  fetch: (request: Request, env: FloorEnv): Promise<Response> => normalised(request, env),
};

/** `minimal` plus a one-line JSON log of the request, the size and shape of the gateway's. */
export const logged = {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const started = Date.now();
    const response = await normalised(request, env);
    const line = {
      at: new Date().toISOString(),
      request_id: crypto.randomUUID(),
      method: request.method,
      route: new URL(request.url).pathname,
      provider: 'openai',
      model: response.headers.get('x-gateway-model'),
      stream: false,
      attempts: [{ model: response.headers.get('x-gateway-model'), status: response.status, ms: Date.now() - started }],
      prompt_tokens: 1,
      completion_tokens: 8,
      cache: 'BYPASS',
      status: response.status,
      latency_ms: Date.now() - started,
    };
    console.log(JSON.stringify(line));
    return response;
  },
};

/** The `minimal` gateway: key check, body parsed and re-serialised both ways. */
async function normalised(request: Request, env: FloorEnv): Promise<Response> {
  if (request.headers.get('authorization') !== `Bearer ${env.GATEWAY_KEY}`) return new Response('unauthorized', { status: 401 });
  const body = (await request.json()) as Record<string, unknown>;
  const model = String(body['model'] ?? '');
  const upstream = await fetch(`${env.UPSTREAM_URL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.UPSTREAM_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, model: model.slice(model.indexOf('/') + 1) }),
  });
  const completion = (await upstream.json()) as Record<string, unknown>;
  return Response.json(completion, { status: upstream.status, headers: { 'x-gateway-model': model } });
}
