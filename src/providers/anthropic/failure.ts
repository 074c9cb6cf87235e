import type { SdkFailure } from '../upstream-error.ts';

/** The upstream sent no answer headers within the attempt's `timeoutMs`. */
export class HeadersTimeout extends Error {
  constructor(ms: number) {
    super(`No answer headers within ${ms} ms.`);
    this.name = 'HeadersTimeout';
  }
}

const isAbort = (error: unknown) => typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError';

/**
 * What a failed Messages API call means for the gateway, beyond the GatewayErrors it throws itself (an error
 * status, a malformed body): the attempt's timeout, an abort, or anything else `fetch` threw (the host is unreachable).
 */
export function anthropicFailure(error: unknown): SdkFailure {
  if (error instanceof HeadersTimeout) return { kind: 'timeout' };
  if (isAbort(error)) return { kind: 'aborted' };
  return { kind: 'unreachable' };
}
