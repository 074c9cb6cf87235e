import { createApp } from './app.ts';

/** The Worker: the gateway with its production dependencies. */
export default createApp();

// Durable Object classes, bound in wrangler.toml (LIMITS, KEY_INDEX, RESPONSES).
export { KeyIndex } from './limits/key-index.ts';
export { KeyLimits } from './limits/key-limits.ts';
export { StoredResponses } from './responses-store/stored-responses.ts';
