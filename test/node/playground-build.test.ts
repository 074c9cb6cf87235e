import { describe, expect, it } from 'vitest';
import { buildPlayground, builtFiles } from '../../scripts/build-playground.ts';

// public/js/ is committed (Workers static assets deploy it as is), so it must be exactly what its sources build.
describe('the playground build', () => {
  it('public/js/ is exactly what scripts/build-playground.ts builds from src/client and public/playground', () => {
    const fresh = buildPlayground();
    const committed = builtFiles();
    expect([...committed.keys()].sort(), 'files in public/js/ (run: node scripts/build-playground.ts)').toEqual([...fresh.keys()].sort());
    for (const [path, content] of fresh)
      expect(committed.get(path), `${path} is stale: run node scripts/build-playground.ts`).toBe(content);
  });

  it('rewrites every import to a built .js file', () => {
    for (const [path, content] of buildPlayground()) expect(content, path).not.toMatch(/from\s*['"][^'"]+\.ts['"]/);
  });
});
