import { type ClientOptions, sendJson } from './request.ts';

/** Spend over one period. */
export interface UsagePeriod {
  /** `2026-11-29` for a day, `2026-11` for a month (UTC). */
  readonly period: string;
  readonly requests: number;
  readonly tokens: number;
  readonly usd: number;
}

/** A limit per name (`requests_per_minute`, `tokens_per_day`, `usd_per_day`, `usd_per_month`); null is no limit. */
export type UsageLimits = Readonly<Record<string, number | null>>;

/**
 * What `GET /v1/usage` answers for the calling key: requests, tokens and cost this minute, today and this
 * month, what is reserved by calls under way, its limits and what remains of them.
 */
export interface UsageReport {
  readonly object: 'gateway.key.usage';
  readonly minute: { readonly requests: number };
  readonly day: UsagePeriod;
  readonly month: UsagePeriod;
  readonly pending: { readonly reservations: number; readonly tokens: number; readonly usd: number };
  readonly limits: UsageLimits;
  readonly remaining: UsageLimits;
}

/**
 * The calling key's usage and limits.
 *
 * @example
 * const { day, limits } = await usage({ key });
 */
export async function usage(options: ClientOptions): Promise<UsageReport> {
  // The gateway's documented shape for /v1/usage; the playground still checks the parts it shows.
  const { data } = await sendJson<UsageReport>(options, 'GET', '/v1/usage');
  return data;
}
