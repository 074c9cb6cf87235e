import { describeOrigin } from '../core/page-origin.ts';
import { GatewayError } from '../errors.ts';
import type { KeyRecord } from './key-record.ts';
import { modelMatches } from './model-pattern.ts';

/** What a request wants to use: every model it may call (fallbacks included). */
export interface AccessRequest {
  readonly models: readonly string[];
}

/**
 * Throws 403 `origin_not_allowed` when a key bound to origins is used from a page of another one. `origin` is the
 * page's (core/page-origin.ts: `Origin`, else `Referer`, else `"null"` for a cross-site request naming
 * neither); null when no page sent the request (a server), which origin rules cannot bind. Checked on every route
 * a key can call, before its handler.
 */
export function checkKeyOrigin(record: KeyRecord, origin: string | null): void {
  if (record.origins === null || origin === null || record.origins.includes(origin)) return;
  throw new GatewayError(403, `This gateway key may not be used from the origin ${describeOrigin(origin)}.`, {
    code: 'origin_not_allowed',
  });
}

/**
 * Throws 403 `forbidden_model` when the key may not use a model of this request; checked before any upstream
 * call. Every model of a fallback chain must be allowed, so a fallback cannot reach a forbidden model.
 */
export function checkAccess(record: KeyRecord, request: AccessRequest): void {
  if (record.models === null) return;
  const patterns = record.models;
  const forbidden = request.models.find((model) => !patterns.some((pattern) => modelMatches(pattern, model)));
  if (forbidden !== undefined) {
    throw new GatewayError(403, `This gateway key may not use the model ${forbidden} (allowed: ${patterns.join(', ')}).`, {
      code: 'forbidden_model',
      param: 'model',
    });
  }
}
