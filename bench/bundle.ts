// The gateway's production bundle: built from the current tree with `wrangler deploy --dry-run --outdir`,
// or taken from a directory built earlier (BENCH_BUNDLE_DIR / --bundle-dir, to compare two versions).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { WRANGLER_BIN } from './source.ts';
import type { ModuleFile } from './workerd-config.ts';

/** A built bundle: its module files (absolute paths), sizes, and what wrangler said about it. */
export interface Bundle {
  readonly dir: string;
  /** Main module first. */
  readonly modules: readonly ModuleFile[];
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** `Total Upload: … KiB / gzip: … KiB` and `Worker Startup Time` from wrangler's output, when it built the bundle. */
  readonly wrangler: { readonly uploadKiB: number | null; readonly gzipKiB: number | null; readonly startupMs: number | null } | null;
  /** Bytes in the bundle per source (src, each npm package), from esbuild's metafile, when known. */
  readonly bytesBySource: Readonly<Record<string, number>> | null;
  readonly buildMs: number | null;
}

const MODULE_TYPES: Record<string, ModuleFile['type']> = {
  '.js': 'esModule',
  '.mjs': 'esModule',
  '.cjs': 'commonJsModule',
  '.wasm': 'wasm',
  '.txt': 'text',
  // The tokenizer's rank files, Text modules in builds before they became static assets (to compare with those).
  '.tiktoken': 'text',
  '.html': 'text',
  '.bin': 'data',
};
const NOT_MODULES = new Set(['README.md', 'meta.json', 'wrangler.json']);

/** The module files of a wrangler output directory, main (`index.js`) first. */
export function bundleModules(dir: string): ModuleFile[] {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.map') && !NOT_MODULES.has(f) && statSync(join(dir, f)).isFile());
  const modules = files.map((name) => {
    const type = MODULE_TYPES[extname(name)];
    if (!type) throw new Error(`${join(dir, name)}: the bench does not know how to load a ${extname(name) || 'extensionless'} module.`);
    return { name, path: join(dir, name), type };
  });
  const main = modules.findIndex((m) => m.name === 'index.js');
  if (main === -1) throw new Error(`${dir} has no index.js: is it the --outdir of \`wrangler deploy --dry-run\`?`);
  return [...modules.slice(main, main + 1), ...modules.slice(0, main), ...modules.slice(main + 1)];
}

/** Groups esbuild's per-input byte counts: `src` for the project, the package name for node_modules. */
function bytesBySource(metafile: string, bundleFile: string): Record<string, number> | null {
  if (!existsSync(metafile)) return null;
  const meta: unknown = JSON.parse(readFileSync(metafile, 'utf8'));
  const outputs =
    typeof meta === 'object' && meta !== null && 'outputs' in meta
      ? (meta.outputs as Record<string, { inputs?: Record<string, { bytesInOutput: number }> }>)
      : {};
  const output = Object.entries(outputs).find(([path]) => basename(path) === basename(bundleFile))?.[1];
  if (!output?.inputs) return null;
  const out: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const key = pkg ?? (input.startsWith('src/') ? 'src' : 'other');
    out[key] = (out[key] ?? 0) + bytesInOutput;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

/** One module's size as uploaded and gzipped. */
export interface ModuleSize {
  readonly name: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

/** Each module's size, in the order given (main module first). */
export function moduleSizes(modules: readonly Pick<ModuleFile, 'name' | 'path'>[]): ModuleSize[] {
  return modules.map((m) => {
    const bytes = readFileSync(m.path);
    return { name: m.name, rawBytes: bytes.byteLength, gzipBytes: gzipSync(bytes).byteLength };
  });
}

/** The static assets only the Worker reads (wrangler.toml `run_worker_first` sends outside requests for them to it): public/_gateway/. */
export const WORKER_ASSETS = '_gateway';

/** The files under `<assetsDir>/_gateway/` (the tokenizer's rank files), named by their path in the assets. */
export function workerAssets(assetsDir: string): { name: string; path: string }[] {
  const dir = join(assetsDir, WORKER_ASSETS);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => ({ name: `${WORKER_ASSETS}/${f}`, path: join(dir, f) }));
}

function sizes(modules: readonly ModuleFile[]): { rawBytes: number; gzipBytes: number } {
  const each = moduleSizes(modules);
  return { rawBytes: each.reduce((s, m) => s + m.rawBytes, 0), gzipBytes: each.reduce((s, m) => s + m.gzipBytes, 0) };
}

/** Describes an already-built bundle directory. */
export function existingBundle(dir: string): Bundle {
  const abs = resolve(dir);
  const modules = bundleModules(abs);
  return {
    dir: abs,
    modules,
    ...sizes(modules),
    wrangler: null,
    bytesBySource: bytesBySource(join(abs, 'meta.json'), 'index.js'),
    buildMs: null,
  };
}

const number = (re: RegExp, text: string) => {
  const m = re.exec(text)?.[1];
  return m === undefined ? null : Number(m);
};

/** Builds the production bundle of `configPath` (its top level, or `env`) into `outDir` with wrangler. */
export async function buildBundle(configPath: string, outDir: string, env?: string): Promise<Bundle> {
  const metafile = join(outDir, 'meta.json');
  const started = performance.now();
  let output: string;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outDir, '--metafile', metafile, `--env=${env ?? ''}`, '-c', configPath],
      {
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    output = `${stdout}\n${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`wrangler deploy --dry-run failed for ${configPath}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
  const buildMs = performance.now() - started;
  const modules = bundleModules(outDir);
  return {
    dir: outDir,
    modules,
    ...sizes(modules),
    wrangler: {
      uploadKiB: number(/Total Upload:\s*([\d.]+)\s*KiB/, output),
      gzipKiB: number(/gzip:\s*([\d.]+)\s*KiB/, output),
      startupMs: number(/Startup Time:\s*([\d.]+)\s*ms/i, output),
    },
    bytesBySource: bytesBySource(metafile, 'index.js'),
    buildMs,
  };
}
