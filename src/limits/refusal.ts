// What a refusal of the key's object becomes: the error the client gets, with its limit headers.
import { GatewayError } from '../errors.ts';
import type { BudgetLimitName, Refusal } from './key-limits-rpc.ts';
import { rateLimitHeaders } from './limit-headers.ts';

const LIMIT_WORDS: Record<BudgetLimitName, string> = {
  tokens_per_day: 'tokens per day',
  usd_per_day: 'spending limit (US dollars per day)',
  usd_per_month: 'spending limit (US dollars per month)',
};

/** Dollars as people read them: enough digits to see a small amount, no float noise. */
const dollars = (usd: number) => `$${usd >= 1 ? usd.toFixed(2) : Number(usd.toPrecision(2)).toString()}`;
const amount = (limit: BudgetLimitName, value: number) => (limit === 'tokens_per_day' ? `${Math.floor(value)} tokens` : dollars(value));
/** A wait as people read it: 47936 → "13 h 19 min". */
function wait(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The error a refused reservation becomes. A per-minute rate limit is a 429 that waiting fixes (Retry-After); a
 * budget is a 429 that says what is left, what the request would cost, and what would fit, with
 * `x-should-retry: false`, since it resets only at the end of the day or month; a key no longer valid is a 401.
 */
export function refusal(result: Refusal): GatewayError {
  const headers = rateLimitHeaders(result.limits.requests, result.limits.tokens);
  switch (result.limit) {
    case 'revoked':
    case 'expired':
    case 'unknown_key':
      return new GatewayError(401, `This gateway key is ${result.limit === 'unknown_key' ? 'unknown' : result.limit}.`, {
        code: 'invalid_api_key',
        headers,
      });
    case 'unrepresentable':
      return new GatewayError(400, "This request's output limit or price is too large to count against a budget.", {
        code: 'invalid_value',
        headers,
      });
    case 'requests_per_minute':
      return new GatewayError(
        429,
        `Rate limit reached for this gateway key (requests per minute); retry in ${result.retryAfterSeconds} s.`,
        { code: 'limit_exceeded', headers: { 'retry-after': String(result.retryAfterSeconds), ...headers } },
      );
    default: {
      const { limit, shortfall } = result;
      const fix =
        shortfall.fits > 0
          ? `Lower max_tokens to at most ${shortfall.fits} to fit`
          : `Even its prompt${shortfall.min > 0 ? ` with the shortest answer (${shortfall.min} tokens)` : ''} does not fit: shorten the prompt`;
      return new GatewayError(
        429,
        `This gateway key's ${LIMIT_WORDS[limit]} cannot pay for this request: ${amount(limit, shortfall.left)} is left, and the request may use up to ${amount(limit, shortfall.wanted)}. ${fix}, or wait for the limit to reset in ${wait(result.resetSeconds)}.`,
        { code: limit === 'tokens_per_day' ? 'limit_exceeded' : 'budget_exceeded', headers: { ...headers, 'x-should-retry': 'false' } },
      );
    }
  }
}
