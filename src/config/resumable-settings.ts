import { configError } from '../errors.ts';
import { boolean, positiveInt, wholeNumber } from './typed-variables.ts';
import { readVariable } from './variables.ts';

/** Resumable streams (docs/streaming.md, "Resumable streams"). */
export interface ResumableSettings {
  /** RESUMABLE_STREAMS: whether a /stream request that says nothing (`x-gateway-resumable`) is resumable. */
  readonly byDefault: boolean;
  /** RESUMABLE_DETACHED: with no client attached, `cancel` the model call after `graceMs`, or `keep` generating to the end. */
  readonly detached: 'cancel' | 'keep';
  /** RESUMABLE_GRACE_SECONDS, in ms. */
  readonly graceMs: number;
  /** RESUMABLE_KEEP_SECONDS, in ms: how long a finished stream's events stay attachable. */
  readonly keepMs: number;
  /** RESUMABLE_MAX_KEPT_BYTES: the most event bytes one stream keeps for replay; past it the oldest are dropped. */
  readonly maxKeptBytes: number;
}

/** The resumable-stream settings; a bad value is a `config_error` naming its variable. */
export function readResumableSettings(env: object): ResumableSettings {
  const detached = readVariable(env, 'RESUMABLE_DETACHED');
  if (detached !== 'cancel' && detached !== 'keep')
    throw configError('RESUMABLE_DETACHED', `expected "cancel" or "keep", got "${detached}".`);
  return {
    byDefault: boolean(env, 'RESUMABLE_STREAMS'),
    detached,
    graceMs: wholeNumber(env, 'RESUMABLE_GRACE_SECONDS') * 1000,
    keepMs: wholeNumber(env, 'RESUMABLE_KEEP_SECONDS') * 1000,
    maxKeptBytes: positiveInt(env, 'RESUMABLE_MAX_KEPT_BYTES'),
  };
}
