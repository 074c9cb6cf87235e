import { GatewayError } from '../errors.ts';

/** 503 when the key's Durable Object cannot be reached and limits fail closed. */
export const limitUnavailable = (cause: unknown) =>
  new GatewayError(503, "The gateway cannot check this key's limits right now (its Durable Object did not answer); retry shortly.", {
    code: 'limit_unavailable',
    cause,
    headers: { 'retry-after': '1' },
  });
