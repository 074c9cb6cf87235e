/**
 * US dollars as the gateway shows them (headers, stream events, log lines): rounded to a tenth of a nano-dollar,
 * so a float sum never prints as 0.0000050999999999999995 where 0.0000051 was meant.
 * @example roundUsd(0.0000050999999999999995) // 0.0000051
 */
export const roundUsd = (usd: number): number => Math.round(usd * 1e10) / 1e10;
