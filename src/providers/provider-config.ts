import type { ProviderSpec } from './catalog.ts';

/** A provider as this deployment configured it: its row, plus the URL and key read from vars and secrets. */
export interface ProviderConfig {
  readonly spec: ProviderSpec;
  readonly baseURL: string;
  /** Undefined when the secret is not set. */
  readonly apiKey: string | undefined;
  readonly azureApiVersion: string;
}
