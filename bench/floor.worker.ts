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
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello from the floor worker.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
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

// Stream relays: what touching every chunk of a stream costs, primitive by primitive (the gateway must
// read every chunk to normalise it, count usage and keep the answer). Each forwards the request to the
// upstream and relays its body.

/** workerd's native pass-through stream (not in the DOM types). */
declare const IdentityTransformStream: {
  new (): { readonly readable: ReadableStream<Uint8Array>; readonly writable: WritableStream<Uint8Array> };
};

const forward = (request: Request, env: FloorEnv): Promise<Response> =>
  fetch(`${env.UPSTREAM_URL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.UPSTREAM_KEY}`, 'content-type': 'application/json' },
    body: request.body,
  });

const relayed = (body: ReadableStream<Uint8Array>, upstream: Response) =>
  new Response(body, { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'text/event-stream' } });

/** A JS reader on the upstream body and a JS ReadableStream (pull, one enqueue per read) to the client. */
export const relayPull = {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forward(request, env);
    const reader = upstream.body!.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: () => reader.cancel(),
      },
      { highWaterMark: 0 },
    );
    return relayed(body, upstream);
  },
};

/** A JS reader on the upstream body, each read written to workerd's native IdentityTransformStream. */
export const relayIdentity = {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forward(request, env);
    const reader = upstream.body!.getReader();
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await writer.write(value);
        }
        await writer.close();
      } catch (error) {
        await writer.abort(error).catch(() => {});
        await reader.cancel(error).catch(() => {});
      }
    })();
    return relayed(readable, upstream);
  },
};

/** The runtime pumps: the upstream body through a JS TransformStream whose transform sees every read. */
export const relayTransform = {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forward(request, env);
    const body = upstream.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ transform: (chunk, controller) => controller.enqueue(chunk) }),
    );
    return relayed(body, upstream);
  },
};

/** relayTransform that also decodes each read, parses every `data:` line as JSON and re-serialises it: a normalising relay's least work. */
export const relayParse = {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forward(request, env);
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let buffer = '';
    const body = upstream.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          buffer += decoder.decode(chunk, { stream: true });
          const end = buffer.lastIndexOf('\n\n');
          if (end === -1) return;
          let out = '';
          for (const line of buffer.slice(0, end).split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const data = line.slice(6);
            out += data === '[DONE]' ? 'data: [DONE]\n\n' : `data: ${JSON.stringify(JSON.parse(data))}\n\n`;
          }
          buffer = buffer.slice(end + 2);
          controller.enqueue(encoder.encode(out));
        },
      }),
    );
    return relayed(body, upstream);
  },
};

/** relayPull with a BYOB reader reading into one reused buffer (each read copied out): no new buffer per read. */
export const relayByob = {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forward(request, env);
    const reader = upstream.body!.getReader({ mode: 'byob' });
    let buffer = new ArrayBuffer(16384);
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read(new Uint8Array(buffer));
          if (done || !value) return controller.close();
          controller.enqueue(value.slice());
          buffer = value.buffer;
        },
        cancel: () => reader.cancel(),
      },
      { highWaterMark: 0 },
    );
    return relayed(body, upstream);
  },
};
