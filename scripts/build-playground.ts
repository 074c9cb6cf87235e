// `node scripts/build-playground.ts [--check]`: builds the playground's browser JavaScript into public/js/ from
// its TypeScript (public/playground/*.ts) and the browser client's (src/client/*.ts). No bundler: Node's own
// type stripping (erasable syntax only, as tsconfig demands) turns each file into a native ES module, with
// whitespace where the types were, so line numbers in the browser match the source; imports of `.ts` files
// are rewritten to the built `.js` files. The output is committed (Workers static assets deploy it as is);
// test/node/playground-build.test.ts fails if it differs from what this script builds. `--check` does the same.
import { readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** Source folder → output folder, relative to the project root. */
const FOLDERS: ReadonlyArray<readonly [string, string]> = [
  ['src/client', 'public/js/client'],
  ['public/playground', 'public/js/playground'],
];
export const OUTPUT_DIR = 'public/js';

const outputOf = (source: string): string | undefined => {
  for (const [from, to] of FOLDERS)
    if (source.startsWith(`${from}/`) && source.endsWith('.ts')) return `${to}/${source.slice(from.length + 1, -3)}.js`;
  return undefined;
};

/** Every output file (path relative to the root → content) the sources produce. */
export function buildPlayground(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [from] of FOLDERS) {
    for (const name of readdirSync(join(ROOT, from))
      .filter((n) => n.endsWith('.ts'))
      .sort()) {
      const source = `${from}/${name}`;
      const target = outputOf(source);
      if (!target) continue;
      const js = stripTypeScriptTypes(readFileSync(join(ROOT, source), 'utf8'), { mode: 'strip' }).replace(
        /(\bfrom\s*|\bimport\s*)(['"])(\.{1,2}\/[^'"]+\.ts)\2/g,
        (_match, keyword: string, quote: string, specifier: string) => {
          const imported = outputOf(relative(ROOT, resolve(ROOT, dirname(source), specifier)));
          if (!imported) throw new Error(`${source} imports ${specifier}, which is outside the playground's sources.`);
          const path = relative(dirname(target), imported);
          return `${keyword}${quote}${path.startsWith('.') ? path : `./${path}`}${quote}`;
        },
      );
      out.set(target, `// Built by scripts/build-playground.ts from ${source}: edit that file, not this one.\n${js}`);
    }
  }
  return out;
}

/** The files now under public/js/, for comparison with a fresh build. */
export function builtFiles(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else found.set(path, readFileSync(join(ROOT, path), 'utf8'));
    }
  };
  try {
    walk(OUTPUT_DIR);
  } catch {
    // No build yet.
  }
  return found;
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const fresh = buildPlayground();
  if (process.argv.includes('--check')) {
    const current = builtFiles();
    const stale = [...new Set([...fresh.keys(), ...current.keys()])].filter((p) => fresh.get(p) !== current.get(p));
    if (stale.length) {
      console.error(`public/js is out of date (${stale.join(', ')}): run node scripts/build-playground.ts`);
      process.exit(1);
    }
  } else {
    rmSync(join(ROOT, OUTPUT_DIR), { recursive: true, force: true });
    for (const [path, content] of fresh) {
      mkdirSync(dirname(join(ROOT, path)), { recursive: true });
      writeFileSync(join(ROOT, path), content);
    }
    console.log(`playground: built ${fresh.size} files into ${OUTPUT_DIR}/`);
  }
}
