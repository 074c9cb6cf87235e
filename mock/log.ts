// One line per request, written when the connection's response is over, so
// stalls and cancellations show their real duration and outcome.
import type { Exchange } from './exchange.ts';
import type { Directive } from './types.ts';

export function logLine(ex: Exchange): string {
  const { req, res } = ex;
  const outcome = ex.destroyedByMock ? 'reset-by-mock' : ex.closedByClient ? 'closed-by-client' : String(res.statusCode);
  const ms = Math.round(performance.now() - ex.started);
  return `[mock upstream] ${req.method ?? '?'} ${req.url ?? ''} model=${ex.model ?? '-'} ${outcome} ${ms}ms ${describe(ex.directive)}`;
}

/** A compact view of the directive, e.g. `id=x status=500 stream{cut_after=3}`. */
function describe(d: Directive | undefined): string {
  if (d === undefined) return '-';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(d)) {
    if (key === 'stream' && typeof value === 'object' && value !== null) {
      parts.push(
        `stream{${Object.entries(value)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(',')}}`,
      );
    } else if (typeof value === 'object' && value !== null) {
      parts.push(key);
    } else {
      parts.push(`${key}=${String(value)}`);
    }
  }
  return parts.length > 0 ? parts.join(' ') : '-';
}
