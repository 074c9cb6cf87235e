import { positiveInt } from './typed-variables.ts';
import { readVariable } from './variables.ts';
import { configError } from '../errors.ts';

/** The loop's bound never goes above this, whatever the deployment says: a misbehaving model costs at most this many calls. */
export const HARD_MAX_ITERATIONS = 10;

/** How the deployment lets server tools run. */
export interface ToolSettings {
  /** Default and most model calls of one loop (≤ HARD_MAX_ITERATIONS). */
  readonly maxIterations: number;
  readonly timeoutMs: number;
  readonly resultMaxBytes: number;
}

/** Tools read their own endpoints from `env` when they run; a bad one is refused here, once, at start-up. */
const TOOL_URLS = ['OPEN_METEO_GEOCODING_URL', 'OPEN_METEO_FORECAST_URL'] as const;

/** Reads TOOLS_MAX_ITERATIONS, TOOL_TIMEOUT_MS and TOOL_RESULT_MAX_BYTES and checks the tools' endpoint URLs, failing fast on a bad value. */
export function parseToolSettings(env: object): ToolSettings {
  for (const name of TOOL_URLS) {
    const raw = readVariable(env, name);
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw configError(name, `expected an http(s) URL, got "${raw}".`);
  }
  const maxIterations = positiveInt(env, 'TOOLS_MAX_ITERATIONS');
  if (maxIterations > HARD_MAX_ITERATIONS)
    throw configError('TOOLS_MAX_ITERATIONS', `at most ${HARD_MAX_ITERATIONS}, got ${maxIterations}.`);
  return { maxIterations, timeoutMs: positiveInt(env, 'TOOL_TIMEOUT_MS'), resultMaxBytes: positiveInt(env, 'TOOL_RESULT_MAX_BYTES') };
}
