import type { ProviderConfig } from './provider-config.ts';

/** One concrete model to call: the provider as configured, and the model name that provider knows. */
export interface Target {
  readonly provider: ProviderConfig;
  readonly model: string;
  /** `provider/model`, as clients name it and as logs and headers show it. */
  readonly id: string;
}
