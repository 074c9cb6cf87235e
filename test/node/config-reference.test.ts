import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { devVarsExample } from '../../scripts/dev-vars-example.ts';

describe('the configuration reference', () => {
  it('.dev.vars.example is generated from the variables the config code reads', () => {
    expect(readFileSync('.dev.vars.example', 'utf8')).toBe(devVarsExample());
  });
});
