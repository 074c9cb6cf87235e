import { afterEach, expect, vi } from 'vitest';

/**
 * Watches the gateway's JSON log lines (console.log) in a test file: `logLineOf(response)` is the one line of the
 * request that response answered, matched by its x-request-id. Call once at the top of a file.
 */
export function watchLogLines<Line extends Record<string, unknown> = Record<string, unknown>>() {
  const log = vi.spyOn(console, 'log');
  afterEach(() => log.mockClear());
  return {
    log,
    logLineOf(response: Response): Line {
      const id = response.headers.get('x-request-id');
      const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('{') && l.includes('"request_id"'));
      const line = lines.map((l) => JSON.parse(l) as Line).find((l) => l['request_id'] === id && 'status' in l);
      expect(line, `a log line for request ${id}`).toBeDefined();
      return line ?? ({} as Line);
    },
  };
}
