// The deployer's resumable-stream settings. Read here rather than through config/variables.ts for now: adding
// rows there also needs the README's variable table and .dev.vars.example, which this change does not touch.
import { configError } from '../errors.ts';

export interface ResumableSettings {
  /** Whether a /stream request that says nothing (`x-gateway-resumable`) is resumable (RESUMABLE_STREAMS). */
  readonly byDefault: boolean;
  /** With no client attached: `cancel` the model call after `graceMs`, or `keep` generating to the end (RESUMABLE_DETACHED). */
  readonly detached: 'cancel' | 'keep';
  readonly graceMs: number;
  /** How long a finished stream's events stay attachable (RESUMABLE_KEEP_SECONDS). */
  readonly keepMs: number;
}

function raw(env: object, name: string, fallback: string): string {
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

function seconds(env: object, name: string, fallback: string): number {
  const text = raw(env, name, fallback);
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw configError(name, `expected a number of seconds, got "${text}".`);
  return n * 1000;
}

/** The settings from the environment; a bad value is a `config_error` naming its variable. */
export function resumableSettings(env: object): ResumableSettings {
  const byDefault = raw(env, 'RESUMABLE_STREAMS', 'false').toLowerCase();
  if (byDefault !== 'true' && byDefault !== 'false')
    throw configError('RESUMABLE_STREAMS', `expected "true" or "false", got "${byDefault}".`);
  const detached = raw(env, 'RESUMABLE_DETACHED', 'cancel');
  if (detached !== 'cancel' && detached !== 'keep')
    throw configError('RESUMABLE_DETACHED', `expected "cancel" or "keep", got "${detached}".`);
  return {
    byDefault: byDefault === 'true',
    detached,
    graceMs: seconds(env, 'RESUMABLE_GRACE_SECONDS', '5'),
    keepMs: seconds(env, 'RESUMABLE_KEEP_SECONDS', '300'),
  };
}
