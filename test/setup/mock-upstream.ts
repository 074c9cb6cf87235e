import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import '../provided-context.ts';
import { startMockUpstream } from '../../mock/upstream.ts';

/** Where the third-party recordings live in CI and on developer machines; absent on a user's fresh clone. */
export const SHARED_OPENAI = fileURLToPath(new URL('../../../shared/openai', import.meta.url));

/** Starts the project's mock upstream on a random loopback port for the whole run. */
export default async function setup(project: TestProject) {
  const hasShared = existsSync(`${SHARED_OPENAI}/openapi.yaml`);
  const mock = await startMockUpstream(
    hasShared ? { fixturesDir: `${SHARED_OPENAI}/fixtures`, openapiPath: `${SHARED_OPENAI}/openapi.yaml` } : {},
  );
  project.provide('mockUrl', mock.url);
  project.provide('hasSharedOpenAI', hasShared);
  if (!hasShared)
    console.warn(
      `[tests] ${SHARED_OPENAI} not found: the tests against the official OpenAPI spec and recorded provider responses are skipped.`,
    );
  return () => mock.close();
}
