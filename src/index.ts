import { createApp } from './app.ts';

/** The Worker: the gateway with its production dependencies. */
export default createApp();
