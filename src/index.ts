import { createApp } from './app.ts';
import { StreamRelay } from './resumable/stream-relay.ts';

/** The Worker: the gateway with its production dependencies. */
const gateway = createApp();
export default gateway;

/** One resumable stream (RESUMABLE): runs its call through this same gateway. */
export class ResumableStream extends StreamRelay {
  protected readonly gateway = gateway;
}

// Durable Object classes, bound in wrangler.toml (LIMITS, KEY_INDEX, RESPONSES; RESUMABLE above).
export { KeyIndex } from './limits/key-index.ts';
export { KeyLimits } from './limits/key-limits.ts';
export { StoredResponses } from './responses-store/stored-responses.ts';
