import { clientError, errorFromResponse } from './client-error.ts';

/** Where the gateway is and how to call it; shared by every helper. */
export interface ClientOptions {
  /** The gateway's origin, e.g. `https://gateway.example.workers.dev`; empty (the default) for the page's own origin. */
  readonly baseUrl?: string;
  /** A gateway key, sent as `Authorization: Bearer`; omit where the gateway allows anonymous calls. */
  readonly key?: string;
  /** Aborts the call (and, for a stream, the upstream request behind it). */
  readonly signal?: AbortSignal;
  /** Extra request headers (`x-gateway-max-attempts`, `cache-control`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The `fetch` to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

/** What the gateway said about an answer in its headers. */
export interface AnswerInfo {
  /** The `provider/model` that answered (`x-gateway-model`). */
  readonly model: string | undefined;
  /** Upstream attempts spent (`x-gateway-attempts`); 0 for a cache hit. */
  readonly attempts: number | undefined;
  /** `HIT`, `MISS` or `BYPASS` (`x-gateway-cache`). */
  readonly cache: string | undefined;
  /** What the call cost in US dollars (`x-gateway-cost-usd`), when the model has a known price. */
  readonly costUsd: number | undefined;
  readonly requestId: string | undefined;
  /** A resumable stream's id (`x-gateway-stream-id`): keep it to resume the stream after a reload (`resumeStream`). */
  readonly streamId: string | undefined;
}

/** Reads the gateway's answer headers. */
export function answerInfo(headers: Headers): AnswerInfo {
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
  options: ClientOptions,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  accept = 'application/json',
): Promise<Response> {
  const headers: Record<string, string> = { accept, ...options.headers };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const url = `${(options.baseUrl ?? '').replace(/\/+$/, '')}${path}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (options.signal) init.signal = options.signal;
  let response: Response;
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
export async function sendJson<T>(
  options: ClientOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ data: T; info: AnswerInfo }> {
  const response = await send(options, method, path, body);
  let data: T;
  try {
    data = (await response.json()) as T;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw clientError('malformed_response', `${method} ${path}: the gateway's answer is not JSON.`, error);
  }
  return { data, info: answerInfo(response.headers) };
}
