import { createApp } from './app.ts';
import { StreamRelay } from './resumable/stream-relay.ts';
import { consumeLogBatch } from './request-log/consume.ts';
import { deleteExpiredRows } from './request-log/retention.ts';

const gateway = createApp();

/** The Worker: the gateway with its production dependencies; the request log's queue consumer and its retention cron. */
export default {
  fetch: gateway.fetch,
  queue: (batch, env) => consumeLogBatch(batch, env),
  scheduled: async (controller, env) => {
    await deleteExpiredRows(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;

/** One resumable stream (RESUMABLE): runs its call through this same gateway. */
export class ResumableStream extends StreamRelay {
  protected readonly gateway = gateway;
}

// Durable Object classes, bound in wrangler.toml (LIMITS, KEY_INDEX, RESPONSES; RESUMABLE above).
export { KeyIndex } from './limits/key-index.ts';
export { KeyLimits } from './limits/key-limits.ts';
export { StoredResponses } from './responses-store/stored-responses.ts';
