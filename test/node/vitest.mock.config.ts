// Runs only the mock upstream's own tests, in plain Node (no workerd):
// npx vitest run --config test/node/vitest.mock.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/node/mock-upstream.test.ts'],
    environment: 'node',
    testTimeout: 5000,
  },
});
