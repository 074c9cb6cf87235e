// What a run measures, shared by run.ts and profile.ts: the current tree built with wrangler, or a
// bundle built earlier (to compare two versions the same way), and the wrangler config and environment.
import { resolve } from 'node:path';

/** The project root (bench/..), so the bench works from any working directory. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
/** wrangler's CLI entry, run with this Node (never a global wrangler). */
export const WRANGLER_BIN = resolve(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** parseArgs options for choosing the source; every one has an environment variable too. */
export const SOURCE_OPTIONS = {
  'bundle-dir': { type: 'string' },
  config: { type: 'string' },
  env: { type: 'string' },
} as const;

export interface Source {
  /** An already-built `wrangler deploy --dry-run --outdir` directory, or undefined to build this tree. */
  readonly bundleDir: string | undefined;
  readonly configPath: string;
  /** Wrangler environment; undefined is the top level. */
  readonly env: string | undefined;
}

/** Resolves the source from command-line values, then BENCH_BUNDLE_DIR, BENCH_WRANGLER_CONFIG, BENCH_WRANGLER_ENV. */
export function sourceFrom(values: { 'bundle-dir'?: string | undefined; config?: string | undefined; env?: string | undefined }): Source {
  const bundleDir = values['bundle-dir'] ?? process.env['BENCH_BUNDLE_DIR'];
  const env = values.env ?? process.env['BENCH_WRANGLER_ENV'];
  return {
    bundleDir: bundleDir ? resolve(bundleDir) : undefined,
    configPath: resolve(values.config ?? process.env['BENCH_WRANGLER_CONFIG'] ?? resolve(PROJECT_ROOT, 'wrangler.toml')),
    env: env === '' ? undefined : env,
  };
}
