import type { ProviderConfig } from './provider-config.ts';

/**
 * One SDK client per provider per fetch, built once per isolate: building one per request costs CPU on the
 * hot path. `build` makes the client for a provider the first time it is asked for.
 */
export function clientCache<C>(
  build: (provider: ProviderConfig, fetchImpl: typeof fetch) => C,
): (provider: ProviderConfig, fetchImpl: typeof fetch) => C {
  const clients = new WeakMap<ProviderConfig, Map<typeof fetch, C>>();
  return (provider, fetchImpl) => {
    let byFetch = clients.get(provider);
    if (!byFetch) {
      byFetch = new Map();
      clients.set(provider, byFetch);
    }
    let client = byFetch.get(fetchImpl);
    if (client === undefined) {
      client = build(provider, fetchImpl);
      byFetch.set(fetchImpl, client);
    }
    return client;
  };
}
