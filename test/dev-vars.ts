// Tests never depend on the developer's .dev.vars: wrangler reads that file (or, without it, .env) for every local
// Worker (the workerd tests and the end-to-end gateway alike), so each name in it is set back to what the tests run
// with otherwise.
import { existsSync, readFileSync } from 'node:fs';

/** The names set in a .dev.vars file (values are never read). */
export function devVarsNames(path = '.dev.vars'): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/**
 * Bindings that undo .dev.vars: each name it sets, back to wrangler.toml's value (`defaults`, the tests' own vars)
 * or empty, which the gateway reads as unset. Spread them first, so the tests' own values win.
 */
export function withoutDevVars(defaults: Record<string, string>): Record<string, string> {
  const names = [...devVarsNames('.dev.vars'), ...devVarsNames('.env')];
  return Object.fromEntries(names.map((name) => [name, defaults[name] ?? '']));
}
