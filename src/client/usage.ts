import { type ClientOptions, sendJson } from './request.ts';

/** Spend over one period, and the key's limit for it when it has one. */
export interface UsagePeriod {
  readonly requests?: number;
  readonly tokens?: number;
  readonly cost_usd?: number;
}

/**
 * What `GET /v1/usage` answers for the calling key: requests, tokens and cost today and this month, its
 * limits and what remains. Every field is optional: a gateway reports what it tracks.
 */
export interface UsageReport {
  readonly today?: UsagePeriod;
  readonly month?: UsagePeriod;
  readonly limits?: Readonly<Record<string, number | null>>;
  readonly remaining?: Readonly<Record<string, number | null>>;
  readonly [field: string]: unknown;
}

/**
 * The calling key's usage and limits.
 *
 * @example
 * const { today, limits } = await usage({ key });
 */
export async function usage(options: ClientOptions): Promise<UsageReport> {
  const { data } = await sendJson<UsageReport>(options, 'GET', '/v1/usage');
  return data;
}
