import type { CallModel, Stage } from './types.ts';

/** Composes stages around the innermost call: `compose(inner, [a, b])` runs a, then b, then inner. */
export function compose(inner: CallModel, stages: readonly Stage[]): CallModel {
  return stages.reduceRight<CallModel>((next, stage) => stage(next), inner);
}
