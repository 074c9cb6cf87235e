/** The request log's bindings; any may be missing (a deployer who did not create them), and then the log is off. */
export interface RequestLogBindings {
  readonly REQUEST_LOG_QUEUE?: Queue | undefined;
  readonly REQUEST_LOG_DB?: D1Database | undefined;
  readonly REQUEST_LOG_RETENTION_DAYS?: string | undefined;
}
