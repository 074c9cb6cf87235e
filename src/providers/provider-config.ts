import type { ProviderSpec } from './catalog.ts';

/** A provider as this deployment configured it: its row, plus the URL and key read from vars and secrets. */
export interface ProviderConfig {
  readonly spec: ProviderSpec;
  readonly baseURL: string;
  /** Undefined when the secret is not set. */
  readonly apiKey: string | undefined;
  readonly azureApiVersion: string;
  /** RELAY_PROVIDERS names it: its stream chunks that need no change go to the client as the bytes it sent. */
  readonly relay: boolean;
}
