import { GatewayError } from '../errors.ts';

/** 503 when the key's Durable Object cannot be reached and limits fail closed. */
export const limitUnavailable = (cause: unknown) =>
  new GatewayError(503, "The gateway cannot check this key's limits right now (its Durable Object did not answer); retry shortly.", {
    code: 'limit_unavailable',
    cause,
    headers: { 'retry-after': '1' },
  });

/** Awaits a call to a key's Durable Object: an object that cannot be reached is a 503, a GatewayError passes through. */
export async function reachLimits<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw limitUnavailable(error);
  }
}
