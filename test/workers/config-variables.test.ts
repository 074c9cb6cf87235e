import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.ts';
import { VARIABLES } from '../../src/config/variables.ts';

/** Every name the config code reads from `env`, found by parsing the config from an env that records its reads. */
function namesReadByConfig(): string[] {
  const read = new Set<string>();
  const env = new Proxy(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  parseConfig(env);
  return [...read];
}

// VARIABLES feeds the table in docs/configuration.md and .dev.vars.example (test/node/config-reference.test.ts
// checks those are current), so this is what keeps the documented list equal to what the gateway reads.
describe('the variable table (src/config/variables.ts)', () => {
  it('lists exactly the variables the config code reads', () => {
    expect(namesReadByConfig().sort()).toEqual(VARIABLES.map((v) => v.name).sort());
  });
});
