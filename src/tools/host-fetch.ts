// OWASP LLM06 (excessive agency): a tool reaches only the hosts its file declares, whatever the model asks.

/** A refused outbound request; its message is what the model reads. */
export class HostNotAllowedError extends Error {}

/**
 * Wraps `fetch` so it only reaches `hosts` (compared with `URL.host`, port included) over http(s), never
 * follows a redirect elsewhere (redirects are returned, not followed), and stops when `signal` aborts.
 */
export function hostRestrictedFetch(
  fetch: typeof globalThis.fetch,
  hosts: readonly string[],
  signal: AbortSignal,
  tool: string,
): typeof globalThis.fetch {
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !allowed.has(url.host)) {
      const declared = allowed.size === 0 ? 'it declares no hosts' : `it may reach only ${[...allowed].join(', ')}`;
      return Promise.reject(new HostNotAllowedError(`${tool} may not reach ${url.protocol}//${url.host}: ${declared}`));
    }
    const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const combined = own ? AbortSignal.any([own, signal]) : signal;
    // The runtime says only "internal error; reference = …" for a host it cannot reach: name the host instead.
    return fetch(input, { ...init, redirect: 'manual', signal: combined }).catch((error: unknown) => {
      // Only the runtime's network failures (TypeError) are renamed; the gateway's own refusals keep their words.
      if (combined.aborted || !(error instanceof TypeError)) throw error;
      throw new Error(`${tool} could not reach ${url.host} (no network here, or the host is down)`, { cause: error });
    });
  };
}
