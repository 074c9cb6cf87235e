import { createApp } from './app.ts';
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

// Durable Object classes, bound in wrangler.toml (LIMITS, KEY_INDEX).
export { KeyIndex } from './limits/key-index.ts';
export { KeyLimits } from './limits/key-limits.ts';
