// OpenAI's rate-limit headers, so clients that already back off on OpenAI's limits back off on ours.
import type { CallLimits, LimitState } from '../core/limit-state.ts';

/** A duration as OpenAI writes it in `x-ratelimit-reset-*`: `1s`, `6m0s`, `1h2m3s`, `250ms`. */
export function formatResetDuration(ms: number): string {
  const clamped = Math.max(0, Math.ceil(ms));
  if (clamped < 1000) return `${clamped}ms`;
  const total = Math.ceil(clamped / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** The `x-ratelimit-*-requests` and `-tokens` trios for the limits the key has (none for an unlimited one). */
export function rateLimitHeaders(requests: LimitState | null, tokens: LimitState | null): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [suffix, state] of [
    ['requests', requests],
    ['tokens', tokens],
  ] as const) {
    if (!state) continue;
    headers[`x-ratelimit-limit-${suffix}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${suffix}`] = String(Math.max(0, state.remaining));
    headers[`x-ratelimit-reset-${suffix}`] = formatResetDuration(state.resetMs);
  }
  return headers;
}

/** A model call's limit headers: the rate-limit trios and, when a budget narrowed its output, `x-gateway-max-tokens-clamped`. */
export function callLimitHeaders(limits: CallLimits | undefined): Record<string, string> {
  if (!limits) return {};
  const { clamped } = limits;
  return {
    ...rateLimitHeaders(limits.requests, limits.tokens),
    ...(clamped ? { 'x-gateway-max-tokens-clamped': `${clamped.from}; to=${clamped.to}; reason=${clamped.reason}` } : {}),
  };
}
