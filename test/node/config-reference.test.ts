import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTable, pageConfigTable } from '../../scripts/config-table.ts';
import { devVarsExample } from '../../scripts/dev-vars-example.ts';
import { VARIABLES } from '../../src/config/variables.ts';

const names = VARIABLES.map((v) => v.name);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the configuration reference', () => {
  // That the config code reads exactly these names is checked in workerd: test/workers/config-variables.test.ts.
  it('names each variable once', () => {
    expect(new Set(names).size).toBe(names.length);
  });

  it('is the only way the Worker reads a variable: the rest of src/ touches env only for bindings', () => {
    const bindings = new Set(['CACHE', 'ASSETS', 'LIMITS', 'KEY_INDEX', 'RESPONSES', 'RESUMABLE', 'REQUEST_LOG_DB', 'REQUEST_LOG_QUEUE']);
    const direct = sourceFiles('src')
      .filter((file) => !file.startsWith(join('src', 'config')))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/\benv\s*(?:\.\s*([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g)].map(
          (m) => `${file}: ${m[1] ?? m[2]}`,
        ),
      )
      .filter((hit) => !bindings.has(hit.split(': ')[1] ?? ''));
    expect(direct).toEqual([]);
  });

  it('.dev.vars.example is generated from the variables the config code reads', () => {
    expect(readFileSync('.dev.vars.example', 'utf8')).toBe(devVarsExample());
  });

  it("docs/configuration.md's table is generated from the same variables (npm run docs)", () => {
    expect(pageConfigTable(readFileSync('docs/configuration.md', 'utf8'))).toBe(configTable());
  });

  it('the table has one row per variable, with its default', () => {
    const rows = configTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `([A-Z0-9_]+)`/.exec(row)?.[1])).toEqual(names);
    expect(rows.find((row) => row.startsWith('| `MAX_BODY_BYTES`'))).toContain('`1048576`');
  });

  it('wrangler.toml sets only declared variables, and never a secret', () => {
    const toml = readFileSync('wrangler.toml', 'utf8');
    const set: string[] = [];
    let inVars = false;
    for (const line of toml.split('\n')) {
      const header = /^\s*\[+([^\]]+)\]+/.exec(line);
      if (header) inVars = /(^|\.)vars$/.test(header[1]?.trim() ?? '');
      else if (inVars) {
        const key = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
        if (key) set.push(key);
      }
    }
    expect(set.length).toBeGreaterThan(0);
    expect(set.filter((name) => !names.includes(name))).toEqual([]);
    expect(set.filter((name) => VARIABLES.find((v) => v.name === name)?.secret)).toEqual([]);
  });
});
