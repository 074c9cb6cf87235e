import { positiveInt } from './typed-variables.ts';
import { readVariable } from './variables.ts';
import { configError } from '../errors.ts';

/** The loop's bound never goes above this, whatever the deployment says: a misbehaving model costs at most this many calls. */
export const HARD_MAX_ITERATIONS = 10;

/** How the deployment lets server tools run. */
export interface ToolSettings {
  /** Default and most model calls of one loop (≤ HARD_MAX_ITERATIONS). */
  readonly maxIterations: number;
  /** Most server tool calls run from one model answer (TOOLS_MAX_CALLS_PER_TURN); the rest are answered as errors. */
  readonly maxCallsPerTurn: number;
  /** Most outbound requests (model attempts and tool fetches) one tool-loop request may make (MAX_SUBREQUESTS). */
  readonly maxSubrequests: number;
  readonly timeoutMs: number;
  readonly resultMaxBytes: number;
}

/** Tools read their own endpoints from `env` when they run; a bad one is refused here, once, at start-up. */
const TOOL_URLS = ['OPEN_METEO_GEOCODING_URL', 'OPEN_METEO_FORECAST_URL'] as const;

/** Reads TOOLS_MAX_ITERATIONS, TOOLS_MAX_CALLS_PER_TURN, MAX_SUBREQUESTS, TOOL_TIMEOUT_MS and TOOL_RESULT_MAX_BYTES and checks the tools' endpoint URLs, failing fast on a bad value. */
export function parseToolSettings(env: object): ToolSettings {
  for (const name of TOOL_URLS) {
    const raw = readVariable(env, name);
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw configError(name, `expected an http(s) URL, got "${raw}".`);
  }
  const maxIterations = positiveInt(env, 'TOOLS_MAX_ITERATIONS');
  if (maxIterations > HARD_MAX_ITERATIONS)
    throw configError('TOOLS_MAX_ITERATIONS', `at most ${HARD_MAX_ITERATIONS}, got ${maxIterations}.`);
  const maxSubrequests = positiveInt(env, 'MAX_SUBREQUESTS');
  // A loop needs one model call to start and one more to read any tool result.
  if (maxSubrequests < 2)
    throw configError('MAX_SUBREQUESTS', `at least 2 (a model call, then one after the tools), got ${maxSubrequests}.`);
  return {
    maxIterations,
    maxCallsPerTurn: positiveInt(env, 'TOOLS_MAX_CALLS_PER_TURN'),
    maxSubrequests,
    timeoutMs: positiveInt(env, 'TOOL_TIMEOUT_MS'),
    resultMaxBytes: positiveInt(env, 'TOOL_RESULT_MAX_BYTES'),
  };
}
