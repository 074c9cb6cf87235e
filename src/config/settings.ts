// Settings types the pipeline reads; they live with the configuration that fills them, so config imports no pipeline code.

/** Backoff between attempts: bounded exponential with full jitter. */
export interface BackoffSettings {
  readonly baseMs: number;
  readonly capMs: number;
}

/** How many retryable failures within a window send a deployment into cooldown, and for how long. */
export interface CooldownSettings {
  readonly failures: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
}

/** How hard one request tries: attempts per model, backoff, and the timeouts (the deployer's settings, narrowed by the request). */
export interface RunPolicy {
  readonly maxAttempts: number;
  readonly backoff: BackoffSettings;
  /** Deadline for all attempts and waits until the answer starts. */
  readonly timeoutMs: number;
  readonly firstByteTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly cooldown: CooldownSettings;
}
