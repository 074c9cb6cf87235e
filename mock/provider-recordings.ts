// Recordings of other providers (../shared/providers) are served under the path prefix /providers, by a
// second MockState whose fixtures directory is that folder: `${url}/providers/v1/chat/completions` replays
// them with every directive, and `${url}/providers/__mock/…` inspects that state (calls, fixtures, scenarios).
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import type { MockState } from './state.ts';

export const PROVIDERS_PREFIX = '/providers';

/** `../shared/providers` when the fixtures are `../shared/openai/fixtures`; undefined when absent. */
export function providersDirBeside(fixturesDir: string | undefined): string | undefined {
  if (fixturesDir === undefined) return undefined;
  const dir = join(dirname(dirname(fixturesDir)), 'providers');
  return existsSync(dir) ? dir : undefined;
}

/** The state a request belongs to; a request under /providers has the prefix taken off its URL. */
export function scopeOf(req: IncomingMessage, main: MockState, providers: MockState): MockState {
  const url = req.url ?? '/';
  if (url !== PROVIDERS_PREFIX && !url.startsWith(`${PROVIDERS_PREFIX}/`)) return main;
  req.url = url.slice(PROVIDERS_PREFIX.length) || '/';
  return providers;
}
