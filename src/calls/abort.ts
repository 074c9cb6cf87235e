import { clientClosed } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';

/** A controller for one call that the client going away (the request's signal) aborts. */
export function abortedWithClient(rc: RequestContext): AbortController {
  const controller = new AbortController();
  rc.request.signal.addEventListener('abort', () => controller.abort(clientClosed()), { once: true });
  return controller;
}
