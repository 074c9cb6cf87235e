// A resumable stream's event ids: `<stream id>:<sequence number>`. The stream id rides in every id so that
// EventSource's automatic reconnection (which repeats the first URL with `Last-Event-ID`) finds its stream again.

/** The id of event `seq` (1-based) of a stream. */
export const eventId = (streamId: string, seq: number): string => `${streamId}:${seq}`;

/** A `Last-Event-ID` read back: the stream it names (if any) and the last event the client has. */
export function parseEventId(value: string): { streamId: string | undefined; after: number } | undefined {
  const at = value.lastIndexOf(':');
  const seq = Number(at < 0 ? value : value.slice(at + 1));
  if (!Number.isInteger(seq) || seq < 0) return undefined;
  return { streamId: at < 0 ? undefined : value.slice(0, at), after: seq };
}
