// Reports the size of the Worker bundle `wrangler deploy --dry-run --outdir dist` wrote: raw and gzip,
// against Cloudflare's script size limit (3 MB gzip on the free plan, 10 MB on paid). The last step of
// `npm run check`; exits 1 above the limit (`--max-gzip-kb N` to change it, e.g. 10240 on a paid plan).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const FREE_PLAN_GZIP_KB = 3 * 1024;

/**
 * Raw and gzip bytes of each module file in `dir` (source maps are uploaded apart and do not count; static assets
 * such as the tokenizer's rank files in public/_gateway/ are not part of the Worker's size either).
 */
export function bundleSizes(dir: string): { file: string; raw: number; gzip: number }[] {
  return readdirSync(dir)
    .filter((name) => /\.(m?js|wasm)$/.test(name) && statSync(join(dir, name)).isFile())
    .map((file) => {
      const bytes = readFileSync(join(dir, file));
      return { file, raw: bytes.byteLength, gzip: gzipSync(bytes).byteLength };
    });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv.find((a, i) => i > 1 && !a.startsWith('--') && process.argv[i - 1] !== '--max-gzip-kb') ?? 'dist';
  const flag = process.argv.indexOf('--max-gzip-kb');
  const maxGzipKb = flag === -1 ? FREE_PLAN_GZIP_KB : Number(process.argv[flag + 1]);
  const files = bundleSizes(dir);
  if (files.length === 0) {
    console.error(`bundle-size: no .js files in ${dir}/; run \`wrangler deploy --dry-run --outdir ${dir}\` first.`);
    process.exit(1);
  }
  for (const f of files) console.log(`bundle: ${dir}/${f.file}  ${kb(f.raw)} raw, ${kb(f.gzip)} gzip`);
  const gzip = files.reduce((n, f) => n + f.gzip, 0);
  const raw = files.reduce((n, f) => n + f.raw, 0);
  console.log(
    `bundle total: ${kb(raw)} raw, ${kb(gzip)} gzip (${((gzip / 1024 / maxGzipKb) * 100).toFixed(1)}% of the ${maxGzipKb} KB gzip limit)`,
  );
  if (gzip / 1024 > maxGzipKb) {
    console.error(`bundle-size: ${kb(gzip)} gzip is over the ${maxGzipKb} KB limit (Workers: 3 MB gzip on the free plan, 10 MB on paid).`);
    process.exit(1);
  }
}
