import { GatewayError } from '../errors.ts';
import type { KeyRecord } from './key-record.ts';
import { modelMatches } from './model-pattern.ts';

/** What a request wants to use: every model it may call (fallbacks included) and the browser origin it came from. */
export interface AccessRequest {
  readonly models: readonly string[];
  /** The `Origin` header; null for server-side callers, which origin rules do not concern. */
  readonly origin: string | null;
}

/**
 * Throws 403 `origin_not_allowed` or `forbidden_model` when the key may not make this request; checked before any
 * upstream call. Every model of a fallback chain must be allowed, so a fallback cannot reach a forbidden model.
 */
export function checkAccess(record: KeyRecord, request: AccessRequest): void {
  if (record.origins !== null && request.origin !== null && !record.origins.includes(request.origin)) {
    throw new GatewayError(403, `This gateway key may not be used from the origin ${request.origin}.`, { code: 'origin_not_allowed' });
  }
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
