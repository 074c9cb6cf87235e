// Writes SSE frames one by one and injects the stream faults of the directive
// (cut, stall, malformed frame, in-band error) after a given number of frames.
import type { Exchange } from './exchange.ts';
import type { StreamDirective } from './types.ts';

export interface FramePlan {
  /** Complete frames, separators included. */
  frames: string[];
  eol: string;
  options: StreamDirective;
}

type FaultKind = 'cut' | 'stall' | 'malformed' | 'error' | 'event_error';

const STREAM_ERROR = JSON.stringify({
  error: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  },
});

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** `data: <payload>` frames with the directive's line ending, plus [DONE] unless `no_done`. */
export function dataFrames(payloads: string[], options: StreamDirective): FramePlan {
  const eol = options.crlf === true ? '\r\n' : '\n';
  const frames = payloads.map((p) => `data: ${p}${eol}${eol}`);
  if (options.no_done !== true) frames.push(`data: [DONE]${eol}${eol}`);
  return { frames, eol, options };
}

/** The earliest fault requested, if any. */
function firstFault(o: StreamDirective): { kind: FaultKind; after: number } | undefined {
  const candidates: Array<[FaultKind, number | undefined]> = [
    ['cut', o.cut_after],
    ['stall', o.stall_after],
    ['malformed', o.malformed_after],
    ['error', o.error_after],
    ['event_error', o.event_error_after],
  ];
  let best: { kind: FaultKind; after: number } | undefined;
  for (const [kind, after] of candidates) {
    if (after !== undefined && (best === undefined || after < best.after)) best = { kind, after: Math.floor(after) };
  }
  return best;
}

/** Sends the frames (headers must already be out) and ends, kills or stalls the response. */
export async function writeFrames(ex: Exchange, plan: FramePlan): Promise<void> {
  const { res } = ex;
  const { eol, options } = plan;
  const delay = options.chunk_delay_ms ?? 0;
  const comment = options.comments === true ? `: keep-alive${eol}${eol}` : '';
  const fault = firstFault(options);
  const write = (frame: string): void => {
    res.write(comment + frame);
  };

  for (let i = 0; i < plan.frames.length || fault?.after === i; i++) {
    if (i > 0 && delay > 0 && !(await ex.sleep(delay))) return;
    if (ex.closed) return;
    if (fault !== undefined && i === fault.after) {
      switch (fault.kind) {
        case 'cut':
          return ex.destroySocket();
        case 'stall':
          return ex.untilClosed();
        case 'malformed':
          write(`data: {"id": broken${eol}${eol}`);
          break;
        case 'error':
          write(`data: ${STREAM_ERROR}${eol}${eol}`);
          break;
        case 'event_error':
          write(`event: error${eol}data: ${STREAM_ERROR}${eol}${eol}`);
          break;
      }
      res.end();
      return;
    }
    const frame = plan.frames[i];
    if (frame !== undefined) write(frame);
  }
  res.end();
}
