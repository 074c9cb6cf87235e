/**
 * The `Server-Timing` header of an answer, so browser dev tools show where its time went: `upstream` is the time
 * spent waiting for upstream answers to start (every attempt's time to first byte, summed; 0 when nothing went
 * upstream), `gateway` the rest, `total` from the request's arrival to the response's headers.
 *
 * @example serverTiming(120.4, 95) // "gateway;dur=25.4, upstream;dur=95, total;dur=120.4"
 */
export function serverTiming(totalMs: number, upstreamMs: number): string {
  const total = Math.max(0, totalMs);
  const upstream = Math.min(Math.max(0, upstreamMs), total);
  const ms = (n: number) => Math.round(n * 10) / 10;
  return `gateway;dur=${ms(total - upstream)}, upstream;dur=${ms(upstream)}, total;dur=${ms(total)}`;
}
